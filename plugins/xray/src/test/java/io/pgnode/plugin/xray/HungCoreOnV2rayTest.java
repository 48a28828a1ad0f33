package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.StatQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real v2fly core that hangs: the test stops it with SIGSTOP (by PID), as a core stuck in the kernel or a
 * deadlock would look from outside: it keeps its ports and accepts connections, and answers nothing. At the
 * node's own timing (a probe every 5 s, 2 s to answer, 3 failed in a row), the core is killed and replaced with
 * every user; panel calls meanwhile fail at once with a sentence instead of hanging.
 */
class HungCoreOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 100_000;

    @TempDir
    Path dir;

    @Test
    void aStoppedCoreIsReplacedWithEveryUserWhileCallsFailFastWithASentence() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>(inbounds.routes("alice@x", ""));
        routes.addAll(inbounds.routes("bob@x", ""));
        TestingBackendContext context = new TestingBackendContext(inbounds.panelConfig(), List.of(user("alice@x", ALL)),
                Set.of(), Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), dir);
        try (CapturedLogs logs = CapturedLogs.of("io.pgnode");
                TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(context);
                TestingV2rayClient client = TestingV2rayClient.start(routes)) {
            backend.start();
            backend.syncUser(user("bob@x", ALL)); // added live: only the plugin's user table knows it
            ServedTraffic.assertServed(client, http, "bob@x", BYTES);
            long pid = backend.corePid().orElseThrow();
            long stopped = System.nanoTime();

            signal("STOP", pid);
            try {
                await("a call fails with the probes' sentence").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> failure(() -> backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true)))
                                .contains("health probe"));
                assertThatThrownBy(() -> backend.syncUser(user("carol@x", ALL)))
                        .isInstanceOfSatisfying(BackendException.class,
                                e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                        .hasMessageContaining("the core has not answered its API for")
                        .hasMessageContaining("try again in a moment");

                await("the replacement serves").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50))
                        .until(() -> backend.isRunning() && backend.corePid().orElse(pid) != pid);
                double seconds = (System.nanoTime() - stopped) / 1e9;
                System.out.printf("HungCoreOnV2rayTest: the SIGSTOPped core was replaced %.1f s after it stopped%n",
                        seconds);

                assertThat(backend.restartCount()).isEqualTo(1);
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the stopped core was killed")
                        .isNotEqualTo(java.util.Optional.of(true));
                ServedTraffic.assertServed(client, http, "alice@x", BYTES);
                ServedTraffic.assertServed(client, http, "bob@x", BYTES);
                assertThat(logs.lines()).anyMatch(l -> l.contains("core health probe failed (3 of 3)"))
                        .anyMatch(l -> l.contains("core restarted (the core's API failed 3 health probes in a row)"));
            } finally {
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    signal("KILL", pid);
                }
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + name + " " + pid).isZero();
    }

    private static String failure(Runnable call) {
        try {
            call.run();
            return "";
        } catch (BackendException e) {
            return e.getMessage();
        }
    }
}
