package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real v2fly core these tests run against (Debian's v2ray 4.34.0), and free loopback ports for it. */
final class RealV2ray {

    static final Path EXECUTABLE = Path.of("/usr/bin/v2ray");

    private RealV2ray() {}

    /**
     * The v2ray executable. A missing core fails the test (in CI and elsewhere): these tests are the proof
     * that the plugin drives a real core, so they never pass by skipping.
     */
    static Path executable() {
        if (!Files.isExecutable(EXECUTABLE)) {
            fail(EXECUTABLE + " is missing: the real-core tests need the v2fly core"
                    + " (apt-get install -y --no-install-recommends v2ray)");
        }
        return EXECUTABLE;
    }

    /** Not XrayBackend's own helper: XrayPluginZipIT uses these fixtures without the plugin's classes. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }
}
