package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start failures, crash recovery and shutdown against the real v2fly core. */
class XrayBackendRecoveryOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 100_000;

    @TempDir
    Path dir;

    /** The context of the backend {@link #start} started last. */
    private TestingBackendContext started;

    @Test
    void aKilledCoreIsBackWithinSecondsWithEveryUserAndTheDrainedTraffic() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>(inbounds.routes("alice@x", ""));
        routes.addAll(inbounds.routes("bob@x", ""));
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = start(inbounds.panelConfig(), "alice@x", "bob@x");
                TestingV2rayClient client = TestingV2rayClient.start(routes)) {
            backend.syncUser(user("bob@x", ALL)); // unchanged: nothing to do, and it stays so after the restart
            int port = client.socksPort(TestingServerInbounds.route("alice@x", "", "vless"));
            assertThat(Socks5Fetch.fetch(port, http.port(), BYTES, Duration.ofSeconds(5))).isEqualTo(BYTES);
            backend.drainUsage(UsageDrain.ALL);
            long pid = backend.corePid().orElseThrow();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> backend.isRunning() && backend.corePid().orElse(pid) != pid);
            assertThat(backend.restartCount()).isEqualTo(1);
            for (TestingV2rayClient.Route route : routes) {
                assertThat(Socks5Fetch.works(client.socksPort(route.name()), http.port(), BYTES)).as(route.name()).isTrue();
            }
            List<Stat> alice = backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", false));
            long downlink = alice.stream().filter(s -> s.type().equals("downlink")).mapToLong(Stat::value).sum();
            long drained = started.usage().get(TrafficOwner.USER, "alice@x", "downlink");
            assertThat(drained).as("the fetch before the crash, drained").isBetween((long) BYTES, 2L * BYTES - 1);
            assertThat(downlink).as("the fetches since, live").isGreaterThanOrEqualTo(BYTES);
        }
    }

    @Test
    void aShadowsocksUserChangeOnV2flyIsAppliedByARestartWithTheNewSet() throws Exception {
        int port = RealV2ray.freePort();
        String config = "{\"inbounds\":[{\"tag\":\"ss-in\",\"listen\":\"127.0.0.1\",\"port\":" + port
                + ",\"protocol\":\"shadowsocks\",\"settings\":{\"network\":\"tcp\"}}],"
                + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";
        TestingV2rayClient.Route before = new TestingV2rayClient.Route("old", "shadowsocks", port,
                TestUsers.password("alice@x", ""));
        TestingV2rayClient.Route after = new TestingV2rayClient.Route("new", "shadowsocks", port,
                TestUsers.password("alice@x", "2"));
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = start(config, List.of(user("alice@x", "ss-in")));
                TestingV2rayClient client = TestingV2rayClient.start(List.of(before, after))) {
            assertThat(Socks5Fetch.works(client.socksPort("old"), http.port(), BYTES)).isTrue();
            long pid = backend.corePid().orElseThrow();

            backend.syncUser(TestUsers.changed("alice@x", "2", "ss-in"));

            assertThat(backend.restartCount()).isEqualTo(1);
            assertThat(backend.corePid().orElseThrow()).isNotEqualTo(pid);
            assertThat(Socks5Fetch.works(client.socksPort("new"), http.port(), BYTES)).isTrue();
            assertThat(Socks5Fetch.works(client.socksPort("old"), http.port(), BYTES)).isFalse();
        }
    }

    @Test
    void thousandsOfUsersStartThroughTheStreamedConfigAndTheLastOneWorks() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<io.pgnode.spi.User> users = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            users.add(user("user" + i + "@x", ALL));
        }
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = start(inbounds.panelConfig(), users);
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("user2999@x", ""))) {
            for (String protocol : TestingServerInbounds.PROTOCOLS) {
                assertThat(Socks5Fetch.works(client.socksPort(TestingServerInbounds.route("user2999@x", "", protocol)),
                        http.port(), BYTES)).as(protocol).isTrue();
            }
            assertThat(backend.users()).hasSize(3000);
        }
    }

    @Test
    void closeLeavesNoCoreProcess() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        XrayBackend backend = start(inbounds.panelConfig(), "alice@x");
        ProcessHandle core = ProcessHandle.of(backend.corePid().orElseThrow()).orElseThrow();

        backend.close();
        backend.close();

        assertThat(core.isAlive()).isFalse();
        assertThat(backend.isRunning()).isFalse();
        assertThat(ProcessHandle.current().descendants()).noneMatch(p -> p.pid() == core.pid());
    }

    @Test
    void aConfigTheCoreRejectsIsAnInvalidConfigInTheCoresWords() {
        String config = "{\"inbounds\":[{\"tag\":\"x\",\"listen\":\"127.0.0.1\",\"port\":" + RealV2ray.freePort()
                + ",\"protocol\":\"nope\",\"settings\":{}}],\"outbounds\":[{\"protocol\":\"freedom\"}]}";
        Backend backend = new XrayBackendFactory().create(context(config));

        assertThatThrownBy(backend::start)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("exited with code 23")
                .hasMessageContaining("unknown config id: nope");
        assertThat(backend.isRunning()).isFalse();
        backend.close();
        assertThat(ProcessHandle.current().descendants()).noneMatch(
                p -> p.info().command().map(c -> c.endsWith("v2ray")).orElse(false));
    }

    @Test
    void aMissingExecutableIsAClearErrorNamingThePathAndTheSetting() {
        Path missing = dir.resolve("bin/xray");
        Backend backend = new XrayBackendFactory().create(new TestingBackendContext("{}", List.of(), Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", missing.toString()), dir));

        assertThatThrownBy(backend::start)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("XRAY_EXECUTABLE_PATH");
        assertThat(backend.isRunning()).isFalse();
        backend.close();
    }

    @Test
    void invalidConfigJsonIsRefusedBeforeAnyProcessStarts() {
        assertThatThrownBy(() -> new XrayBackendFactory().create(context("{\"inbounds\": [}")))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("not valid JSON");
    }

    private XrayBackend start(String config, String... emails) {
        List<io.pgnode.spi.User> users = new ArrayList<>();
        for (String email : emails) {
            users.add(user(email, ALL));
        }
        return start(config, users);
    }

    private XrayBackend start(String config, List<io.pgnode.spi.User> users) {
        TestingBackendContext context = new TestingBackendContext(config, users, Set.of(), settings(), dir);
        started = context;
        XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(context);
        backend.start();
        return backend;
    }

    private TestingBackendContext context(String config) {
        return new TestingBackendContext(config, List.of(), Set.of(), settings(), dir);
    }

    private static Map<String, String> settings() {
        return Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString());
    }
}
