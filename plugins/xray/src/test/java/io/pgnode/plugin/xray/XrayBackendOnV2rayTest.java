package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.changed;
import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend, driven through the SPI as the host drives it, against the real v2fly core with real
 * proxied traffic: a second v2ray is the client (SOCKS on loopback → vmess/vless/trojan → the core under
 * test → a local HTTP server). One core serves the whole class (starting one is the expensive part); each
 * test begins with no users in it and brings its own, so any test runs alone and in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XrayBackendOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;
    /** Every user a test of this class brings; the client has routes for each, in generations "" and "2". */
    private static final List<String> EMAILS = List.of("start@x", "alice@x", "bob@x", "reset@x", "cut@x", "stays@x",
            "new@x", "keep@x", "renew@x", "gone@x", "joins@x", "grace@x");

    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingBackendContext context;
    private XrayBackend backend;
    private TestingV2rayClient client;
    private ProxiedTraffic traffic;
    private long corePid;

    @BeforeAll
    void startCore(@TempDir Path dir) throws Exception {
        http = new TestingHttpServer();
        inbounds = TestingServerInbounds.onFreePorts();
        context = new TestingBackendContext(inbounds.panelConfig(), List.of(user("start@x", ALL)), Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), dir);
        Backend created = new XrayBackendFactory().create(context);
        backend = (XrayBackend) created;
        backend.start();
        context.startReturned();
        corePid = backend.corePid().orElseThrow();
        List<TestingV2rayClient.Route> routes = new ArrayList<>();
        for (String email : EMAILS) {
            routes.addAll(inbounds.routes(email, ""));
            routes.addAll(inbounds.routes(email, "2"));
        }
        client = TestingV2rayClient.start(routes);
        traffic = new ProxiedTraffic(client, http, BYTES, context::logLines);
    }

    /** No test sees the users of another: each begins with an empty core (the same core, as a sync leaves it). */
    @BeforeEach
    void noUsers() {
        backend.replaceUsers(List.of());
    }

    @AfterAll
    void stopCore() throws Exception {
        if (client != null) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void startsTheCoreAndStreamsItsLogLines() {
        assertThat(backend.isRunning()).isTrue();
        assertThat(backend.coreVersion()).isEqualTo("4.34.0");
        assertThat(context.logLines()).anyMatch(line -> line.startsWith("V2Ray 4.34.0"));
    }

    @Test
    void everyUsersTrafficIsCountedPerUserInboundAndOutbound() {
        backend.updateUsers(List.of(user("alice@x", ALL), user("bob@x", ALL)));

        traffic.assertServed("alice@x", "");
        traffic.assertServed("bob@x", "");

        for (String email : List.of("alice@x", "bob@x")) {
            Map<String, Long> stats = byType(backend.stats(new StatQuery(StatQuery.Scope.USER, email, false)));
            assertThat(stats.get("uplink")).as(email + " uplink").isPositive();
            assertThat(stats.get("downlink")).as(email + " downlink").isGreaterThanOrEqualTo(3L * BYTES);
        }
        List<Stat> inboundStats = backend.stats(new StatQuery(StatQuery.Scope.INBOUNDS, "", false));
        assertThat(inboundStats).extracting(Stat::name).containsOnly(ALL);
        assertThat(inboundStats).hasSize(6).allSatisfy(stat -> assertThat(stat.value()).as(stat.toString()).isPositive());
        Map<String, Long> direct = byType(backend.stats(new StatQuery(StatQuery.Scope.OUTBOUND, "direct", false)));
        assertThat(direct.get("uplink")).isPositive();
        assertThat(direct.get("downlink")).isGreaterThanOrEqualTo(6L * BYTES);
        assertThat(backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false))).extracting(Stat::link)
                .containsOnly("traffic");
    }

    @Test
    void aDrainHandsTheCountersToTheLedgerAndAResetReturnsWhatCameSinceThenZeroes() throws Exception {
        backend.updateUsers(List.of(user("reset@x", ALL)));
        backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true));
        long ledgerBefore = context.usage().peek(TrafficOwner.USER, "reset@x", "downlink");
        traffic.assertServed(TestingServerInbounds.route("reset@x", "", "vless"));
        backend.drainUsage(UsageDrain.ALL);
        traffic.assertServed(TestingServerInbounds.route("reset@x", "", "vless"));

        Map<String, Long> reset = byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "reset@x", true)));
        Map<String, Long> after = byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "reset@x", false)));

        long drained = context.usage().peek(TrafficOwner.USER, "reset@x", "downlink") - ledgerBefore;
        assertThat(drained).as("the first fetch, in the ledger").isBetween((long) BYTES, 2L * BYTES - 1);
        assertThat(reset.get("downlink")).as("the second fetch, live").isBetween((long) BYTES, 2L * BYTES - 1);
        assertThat(drained + reset.get("downlink")).as("both fetches, once").isGreaterThanOrEqualTo(2L * BYTES);
        assertThat(reset.get("uplink")).isPositive();
        assertThat(after).containsOnly(Map.entry("uplink", 0L), Map.entry("downlink", 0L));
    }

    @Test
    void removingAUsersInboundsCutsThemOffWhileOthersKeepWorking() {
        backend.updateUsers(List.of(user("cut@x", ALL), user("stays@x", ALL)));
        traffic.assertServed("cut@x", "");

        backend.syncUser(new User("cut@x", TestUsers.proxies("cut@x", ""), List.of()));

        traffic.assertRefused("cut@x", "");
        traffic.assertServed("stays@x", "");
        assertThat(backend.corePid()).hasValue(corePid);
    }

    @Test
    void aNewUserWorksAtOnceWithoutARestart() {
        traffic.assertRefused("new@x", "");

        backend.syncUser(user("new@x", ALL));
        assertThat(backend.stats(new StatQuery(StatQuery.Scope.USER, "new@x", false))).as("known, no traffic yet")
                .containsExactly(new Stat("new@x", "downlink", "traffic", 0), new Stat("new@x", "uplink", "traffic", 0));

        traffic.assertServed("new@x", "");
        assertThat(byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "new@x", false))).get("downlink"))
                .isGreaterThanOrEqualTo(3L * BYTES);
        assertThat(backend.corePid()).hasValue(corePid);
    }

    @Test
    void aFullSyncAppliesTheDifferenceLive() {
        backend.updateUsers(List.of(user("keep@x", ALL), user("renew@x", ALL), user("gone@x", ALL)));
        traffic.assertServed("gone@x", "");
        int restarts = backend.restartCount();

        backend.replaceUsers(List.of(user("keep@x", ALL), changed("renew@x", "2", ALL), user("joins@x", ALL)));

        traffic.assertServed("renew@x", "2"); // the new credentials
        traffic.assertRefused("renew@x", ""); // the old ones
        traffic.assertServed("joins@x", "");
        traffic.assertRefused("gone@x", ""); // not in the set
        traffic.assertServed("keep@x", "");
        assertThat(backend.corePid()).hasValue(corePid);
        assertThat(backend.restartCount()).isEqualTo(restarts);
    }

    @Test
    void aUserWithBadCredentialsIsNamedAndTheOthersAreApplied() {
        User frank = new User("frank@x", new Proxies(null, new Proxies.Vless("frank-is-not-a-uuid", ""), null, null, null,
                null), List.of("vless-in"));

        assertThatThrownBy(() -> backend.updateUsers(List.of(frank, user("grace@x", "vless-in"))))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_USER))
                .hasMessageContaining("frank@x");

        traffic.assertServed(TestingServerInbounds.route("grace@x", "", "vless"));
        assertThat(backend.isRunning()).isTrue();
    }

    @Test
    void onlyTargetsTheNodeDoesNotKnowAreNotFound() {
        for (StatQuery query : List.of(new StatQuery(StatQuery.Scope.USER, "nobody@x", false),
                new StatQuery(StatQuery.Scope.INBOUND, "nowhere-in", false),
                new StatQuery(StatQuery.Scope.INBOUND, "api", false),
                new StatQuery(StatQuery.Scope.OUTBOUND, "nowhere", true))) {
            assertThatThrownBy(() -> backend.stats(query)).as(query.toString())
                    .isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
        }
    }

    @Test
    void aV2flyCoreHasNoOnlineStatsButReportsItsRuntime() {
        assertThatThrownBy(() -> backend.onlineCount("alice@x"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED));
        assertThatThrownBy(() -> backend.onlineIps("alice@x"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED));
        assertThat(backend.runtimeStats().goroutines()).isPositive();
        assertThat(backend.runtimeStats().sysBytes()).isPositive();
    }

    private static Map<String, Long> byType(List<Stat> stats) {
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.forEach(s -> byType.merge(s.type(), s.value(), Long::sum));
        return byType;
    }
}
