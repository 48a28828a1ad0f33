package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real WireGuard tools these tests drive (no mocks): Debian's wireguard-go, wireguard-tools, iproute2 and curl,
 * and root (network namespaces, veth pairs, TUN devices). In CI a missing piece fails the test; on a developer's
 * machine without them the test is skipped with the reason.
 */
final class RealTools {

    static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");
    static final Path WG = Path.of("/usr/bin/wg");
    static final Path IP = Path.of("/usr/sbin/ip");
    static final Path CURL = Path.of("/usr/bin/curl");

    private RealTools() {}

    /** Fails (CI) or skips (elsewhere) unless every tool is installed and the test runs as root. */
    static void require() {
        List<String> missing = new ArrayList<>();
        for (Path tool : List.of(WIREGUARD_GO, WG, IP, CURL)) {
            if (!Files.isExecutable(tool)) {
                missing.add(tool.toString());
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (network namespaces need it)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        if (missing.isEmpty()) {
            return;
        }
        String why = "the real-tunnel tests need " + String.join(", ", missing)
                + " (apt-get install -y --no-install-recommends wireguard-go wireguard-tools iproute2 curl, as root)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
    }
}
