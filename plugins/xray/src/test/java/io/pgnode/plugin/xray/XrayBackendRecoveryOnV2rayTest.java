package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingBackendContext;
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

    /** The contexts of the backends this test started, in order: their log sinks hold what each core printed. */
    private final List<TestingBackendContext> contexts = new ArrayList<>();

    @Test
    void aKilledCoreIsBackWithinSecondsWithEveryUserAndTheDrainedTraffic() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>(inbounds.routes("alice@x", ""));
        routes.addAll(inbounds.routes("bob@x", ""));
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = start(inbounds.panelConfig(), "alice@x", "bob@x");
                TestingV2rayClient client = TestingV2rayClient.start(routes)) {
            ProxiedTraffic traffic = new ProxiedTraffic(client, http, BYTES, contexts.get(0)::logLines);
            backend.syncUser(user("bob@x", ALL)); // unchanged: nothing to do, and it stays so after the restart
            traffic.assertServed(TestingServerInbounds.route("alice@x", "", "vless"));
            backend.drainUsage(UsageDrain.ALL);
            long pid = backend.corePid().orElseThrow();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> backend.isRunning() && backend.corePid().orElse(pid) != pid);
            assertThat(backend.restartCount()).isEqualTo(1);
            for (TestingV2rayClient.Route route : routes) {
                traffic.assertServed(route.name());
            }
            List<Stat> alice = backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", false));
            long downlink = alice.stream().filter(s -> s.type().equals("downlink")).mapToLong(Stat::value).sum();
            long drained = contexts.get(0).usage().peek(TrafficOwner.USER, "alice@x", "downlink");
            assertThat(drained).as("the fetch before the crash, drained").isBetween((long) BYTES, 2L * BYTES - 1);
            assertThat(downlink).as("the fetches since, live").isGreaterThanOrEqualTo(BYTES);
        }
    }

    @Test
    void aShadowsocksUserChangeOnV2flyIsAppliedByARestartWithTheNewSet() throws Exception {
        int port = RealV2ray.freePort();
        // a log section: v2ray writes access lines (the proof of a refusal) only when the config has one
        String config = "{\"log\":{\"loglevel\":\"warning\"},"
                + "\"inbounds\":[{\"tag\":\"ss-in\",\"listen\":\"127.0.0.1\",\"port\":" + port
                + ",\"protocol\":\"shadowsocks\",\"settings\":{\"network\":\"tcp\"}}],"
                + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";
        TestingV2rayClient.Route before = new TestingV2rayClient.Route("old", "shadowsocks", port,
                TestUsers.password("alice@x", ""));
        TestingV2rayClient.Route after = new TestingV2rayClient.Route("new", "shadowsocks", port,
                TestUsers.password("alice@x", "2"));
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = start(config, List.of(user("alice@x", "ss-in")));
                TestingV2rayClient client = TestingV2rayClient.start(List.of(before, after))) {
            ProxiedTraffic traffic = new ProxiedTraffic(client, http, BYTES, contexts.get(0)::logLines);
            traffic.assertServed("old");
            long pid = backend.corePid().orElseThrow();

            backend.syncUser(TestUsers.changed("alice@x", "2", "ss-in"));

            assertThat(backend.restartCount()).isEqualTo(1);
            assertThat(backend.corePid().orElseThrow()).isNotEqualTo(pid);
            traffic.assertServed("new");
            traffic.assertRefused("old");
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
            new ProxiedTraffic(client, http, BYTES, contexts.get(0)::logLines).assertServed("user2999@x", "");
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
        contexts.add(context);
        XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(context);
        backend.start();
        context.startReturned();
        return backend;
    }

    private TestingBackendContext context(String config) {
        return new TestingBackendContext(config, List.of(), Set.of(), settings(), dir);
    }

    private static Map<String, String> settings() {
        return Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString());
    }
}
