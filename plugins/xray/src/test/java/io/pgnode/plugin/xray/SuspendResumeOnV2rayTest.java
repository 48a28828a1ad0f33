package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suspend and resume on the real v2fly core, as the node uses them for a Start that replaces a running backend:
 * the old backend is suspended (its traffic handed over, its core stopped, its ports free), the new one is tried,
 * and when that fails the old one comes back with every user it had, live-added ones included.
 */
class SuspendResumeOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 100_000;

    @TempDir
    Path dir;

    @Test
    void aSuspendedCoreHandsOverItsTrafficFreesItsPortsAndComesBackWithEveryUser() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>(inbounds.routes("alice@x", ""));
        routes.addAll(inbounds.routes("bob@x", ""));
        TestingBackendContext context = context(inbounds.panelConfig(), List.of(user("alice@x", ALL)), dir);
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(context);
                TestingV2rayClient client = TestingV2rayClient.start(routes)) {
            backend.start();
            backend.syncUser(user("bob@x", ALL));
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);
            long pid = backend.corePid().orElseThrow();

            assertThat(backend.suspend()).isTrue();

            assertThat(backend.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
            for (int port : List.of(inbounds.vmessPort(), inbounds.vlessPort(), inbounds.trojanPort())) {
                ServedTraffic.assertClosed(port);
            }
            assertThat(context.usage().peek(TrafficOwner.USER, "alice@x", "downlink")).as("handed over")
                    .isGreaterThanOrEqualTo(3L * BYTES);
            assertThatThrownBy(() -> backend.syncUser(user("carol@x", ALL)))
                    .isInstanceOf(BackendException.class).hasMessageContaining("suspended");

            backend.resume();

            assertThat(backend.isRunning()).isTrue();
            assertThat(backend.corePid().orElseThrow()).isNotEqualTo(pid);
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);
            ServedTraffic.assertServed(client, http, "bob@x", BYTES);
            assertThat(backend.restartCount()).as("a resume is not a crash recovery").isZero();
        }
    }

    @Test
    void whenTheReplacementCannotBindAPortThePreviousBackendIsBroughtBack() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        Path other = Files.createDirectory(dir.resolve("next"));
        try (TestingHttpServer http = new TestingHttpServer();
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                XrayBackend previous = (XrayBackend) new XrayBackendFactory().create(
                        context(inbounds.panelConfig(), List.of(user("alice@x", ALL)), dir));
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("alice@x", ""))) {
            previous.start();
            String takenPort = inbounds.panelConfig().replace("\"inbounds\":[", "\"inbounds\":[{\"tag\":\"extra\","
                    + "\"listen\":\"127.0.0.1\",\"port\":" + taken.getLocalPort() + ",\"protocol\":\"vless\","
                    + "\"settings\":{\"clients\":[],\"decryption\":\"none\"}},");
            Backend next = new XrayBackendFactory().create(context(takenPort, List.of(user("alice@x", ALL)), other));

            next.checkConfig(); // the test mode binds nothing: a taken port is only found by starting
            assertThat(previous.suspend()).isTrue();
            assertThatThrownBy(next::start).isInstanceOfSatisfying(BackendException.class,
                    e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                    .hasMessageContaining("address already in use");
            next.close();
            previous.resume();

            ServedTraffic.assertServed(client, http, "alice@x", BYTES);
        }
    }

    private static TestingBackendContext context(String config, List<User> users, Path workDirectory) {
        return new TestingBackendContext(config, users, Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), workDirectory);
    }
}
