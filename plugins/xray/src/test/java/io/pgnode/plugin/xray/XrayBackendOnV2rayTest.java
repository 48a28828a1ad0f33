package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.changed;
import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend, driven through the SPI as the host drives it, against the real v2fly core with real
 * proxied traffic: a second v2ray is the client (SOCKS on loopback → vmess/vless/trojan → the core under
 * test → a local HTTP server). One core serves the whole class; the tests run in order, as a story.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XrayBackendOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;

    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingBackendContext context;
    private XrayBackend backend;
    private TestingV2rayClient client;
    private long corePid;

    @BeforeAll
    void startCore(@TempDir Path dir) throws Exception {
        http = new TestingHttpServer();
        inbounds = TestingServerInbounds.onFreePorts();
        context = new TestingBackendContext(inbounds.panelConfig(),
                List.of(user("alice@x", ALL), user("bob@x", ALL), user("carol@x", ALL)), Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), dir);
        Backend created = new XrayBackendFactory().create(context);
        backend = (XrayBackend) created;
        backend.start();
        corePid = backend.corePid().orElseThrow();
        List<TestingV2rayClient.Route> routes = new ArrayList<>();
        for (String email : List.of("alice@x", "bob@x", "carol@x", "dave@x", "erin@x", "grace@x")) {
            routes.addAll(inbounds.routes(email, ""));
        }
        routes.addAll(inbounds.routes("bob@x", "2"));
        client = TestingV2rayClient.start(routes);
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
    @Order(1)
    void startsTheCoreAndStreamsItsLogLines() {
        assertThat(backend.isRunning()).isTrue();
        assertThat(backend.coreVersion()).isEqualTo("4.34.0");
        assertThat(context.logLines()).anyMatch(line -> line.startsWith("V2Ray 4.34.0"));
    }

    @Test
    @Order(2)
    void everyUsersTrafficIsCountedPerUserInboundAndOutbound() {
        assertThat(works("alice@x", "")).allSatisfy((route, ok) -> assertThat(ok).as(route).isTrue());
        assertThat(works("bob@x", "")).allSatisfy((route, ok) -> assertThat(ok).as(route).isTrue());

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
    @Order(3)
    void aDrainHandsTheCountersToTheLedgerAndAResetReturnsWhatCameSinceThenZeroes() throws Exception {
        backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true));
        long ledgerBefore = context.usage().get(TrafficOwner.USER, "alice@x", "downlink");
        fetch("alice@x", "", "vless");
        backend.drainUsage(UsageDrain.ALL);
        fetch("alice@x", "", "vless");

        Map<String, Long> reset = byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", true)));
        Map<String, Long> after = byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", false)));

        long drained = context.usage().get(TrafficOwner.USER, "alice@x", "downlink") - ledgerBefore;
        assertThat(drained).as("the first fetch, in the ledger").isBetween((long) BYTES, 2L * BYTES - 1);
        assertThat(reset.get("downlink")).as("the second fetch, live").isBetween((long) BYTES, 2L * BYTES - 1);
        assertThat(drained + reset.get("downlink")).as("both fetches, once").isGreaterThanOrEqualTo(2L * BYTES);
        assertThat(reset.get("uplink")).isPositive();
        assertThat(after).containsOnly(Map.entry("uplink", 0L), Map.entry("downlink", 0L));
    }

    @Test
    @Order(4)
    void removingAUsersInboundsCutsThemOffWhileOthersKeepWorking() {
        assertThat(works("carol@x", "")).containsValue(true).doesNotContainValue(false);

        backend.syncUser(new User("carol@x", TestUsers.proxies("carol@x", ""), List.of()));

        assertThat(works("carol@x", "")).doesNotContainValue(true);
        assertThat(works("alice@x", "")).doesNotContainValue(false);
        assertThat(backend.corePid()).hasValue(corePid);
    }

    @Test
    @Order(5)
    void aNewUserWorksAtOnceWithoutARestart() {
        assertThat(works("dave@x", "")).doesNotContainValue(true);

        backend.syncUser(user("dave@x", ALL));
        assertThat(backend.stats(new StatQuery(StatQuery.Scope.USER, "dave@x", false))).as("known, no traffic yet")
                .containsExactly(new Stat("dave@x", "downlink", "traffic", 0), new Stat("dave@x", "uplink", "traffic", 0));

        assertThat(works("dave@x", "")).doesNotContainValue(false);
        assertThat(byType(backend.stats(new StatQuery(StatQuery.Scope.USER, "dave@x", false))).get("downlink"))
                .isGreaterThanOrEqualTo(3L * BYTES);
        assertThat(backend.corePid()).hasValue(corePid);
    }

    @Test
    @Order(6)
    void aFullSyncAppliesTheDifferenceLive() {
        backend.replaceUsers(List.of(user("alice@x", ALL), changed("bob@x", "2", ALL), user("erin@x", ALL)));

        assertThat(works("bob@x", "2")).as("bob's new credentials").doesNotContainValue(false);
        assertThat(works("bob@x", "")).as("bob's old credentials").doesNotContainValue(true);
        assertThat(works("erin@x", "")).doesNotContainValue(false);
        assertThat(works("dave@x", "")).as("dave is not in the set").doesNotContainValue(true);
        assertThat(works("alice@x", "")).doesNotContainValue(false);
        assertThat(backend.corePid()).hasValue(corePid);
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    @Order(7)
    void aUserWithBadCredentialsIsNamedAndTheOthersAreApplied() {
        User frank = new User("frank@x", new Proxies(null, new Proxies.Vless("frank-is-not-a-uuid", ""), null, null, null,
                null), List.of("vless-in"));

        assertThatThrownBy(() -> backend.updateUsers(List.of(frank, user("grace@x", "vless-in"))))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_USER))
                .hasMessageContaining("frank@x");

        assertThat(Socks5Fetch.works(client.socksPort(TestingServerInbounds.route("grace@x", "", "vless")), http.port(),
                BYTES)).isTrue();
        assertThat(backend.isRunning()).isTrue();
    }

    @Test
    @Order(8)
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
    @Order(9)
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

    private void fetch(String email, String generation, String protocol) throws Exception {
        int port = client.socksPort(TestingServerInbounds.route(email, generation, protocol));
        assertThat(Socks5Fetch.fetch(port, http.port(), BYTES, Duration.ofSeconds(5))).isEqualTo(BYTES);
    }

    private Map<String, Boolean> works(String email, String generation) {
        return client.works(email, generation, http.port(), BYTES);
    }

    private static Map<String, Long> byType(List<Stat> stats) {
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.forEach(s -> byType.merge(s.type(), s.value(), Long::sum));
        return byType;
    }

}
