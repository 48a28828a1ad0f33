package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's own test mode on the rendered config (v2ray {@code -test -config stdin:}), as the node runs it before
 * it stops a running backend for a new one: a config the core rejects is INVALID_CONFIG with the core's first error
 * line and no stack dump; a good one passes even while another core serves on its ports.
 */
class ConfigCheckOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;

    @TempDir
    Path dir;

    @Test
    void aPortTheCoreCannotTakeIsAnInvalidConfigInTheCoresFirstLineNotAGoroutineDump() {
        // v2ray 4.34 panics (exit 2) on this one and prints its goroutines
        Backend backend = create(config(99999, "vless"), List.of(user("alice@x", "x")), dir);

        assertThatThrownBy(backend::checkConfig)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("exited with code 2")
                .hasMessageContaining("invalid port range: 99999")
                .hasMessageNotContaining("goroutine")
                .hasMessageNotContaining("panic");
        assertThat(RealV2ray.runningIn(dir)).isEmpty();
        backend.close();
    }

    @Test
    void aConfigTheCoreRefusesWithExitCode23IsNamedInItsWords() {
        Backend backend = create(config(RealV2ray.freePort(), "nope"), List.of(), dir);

        assertThatThrownBy(backend::checkConfig)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("exited with code 23")
                .hasMessageContaining("unknown config id: nope")
                .hasMessageNotContaining("Reading config");
        backend.close();
    }

    @Test
    void aStartWithoutACheckRefusesTheSameConfigInTheSameWords() {
        Backend backend = create(config(99999, "vless"), List.of(), dir);

        assertThatThrownBy(backend::start)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("invalid port range: 99999")
                .hasMessageNotContaining("goroutine");
        backend.close();
        assertThat(RealV2ray.runningIn(dir)).isEmpty();
    }

    @Test
    void aGoodConfigPassesWhileAnotherCoreServesOnItsPortsAndThatCoreGoesOnServing() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<User> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            many.add(user("user" + i + "@x", ALL));
        }
        Path other = Files.createDirectory(dir.resolve("other"));
        try (TestingHttpServer http = new TestingHttpServer();
                XrayBackend running = (XrayBackend) create(inbounds.panelConfig(), List.of(user("alice@x", ALL)), dir);
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("alice@x", ""))) {
            running.start();
            Backend next = create(inbounds.panelConfig(), many, other);

            next.checkConfig();

            assertThat(next.isRunning()).isFalse();
            assertThat(RealV2ray.runningIn(other)).as("the test left nothing running").isEmpty();
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);
            next.close();
        }
    }

    @Test
    void aV2flyShadowsocksInboundIsCheckedWithOneOfItsUsers() {
        // v2fly's Shadowsocks inbound holds one user in its settings: without it the core says "password is not specified"
        String config = "{\"inbounds\":[{\"tag\":\"ss-in\",\"listen\":\"127.0.0.1\",\"port\":" + RealV2ray.freePort()
                + ",\"protocol\":\"shadowsocks\",\"settings\":{\"network\":\"tcp\"}}],"
                + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";
        Backend backend = create(config, List.of(user("alice@x", "ss-in"), user("bob@x", "ss-in")), dir);

        backend.checkConfig();

        backend.close();
    }

    private static String config(int port, String protocol) {
        return "{\"inbounds\":[{\"tag\":\"x\",\"listen\":\"127.0.0.1\",\"port\":" + port + ",\"protocol\":\"" + protocol
                + "\",\"settings\":{\"clients\":[],\"decryption\":\"none\"}}],\"outbounds\":[{\"protocol\":\"freedom\"}]}";
    }

    private static Backend create(String config, List<User> users, Path workDirectory) {
        return new XrayBackendFactory().create(new TestingBackendContext(config, users, Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), workDirectory));
    }
}
