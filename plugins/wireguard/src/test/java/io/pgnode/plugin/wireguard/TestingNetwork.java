package io.pgnode.plugin.wireguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces made for one test, so that the machine's own network is never touched: the node's namespace,
 * and one namespace per client joined to it by its own veth pair (node side 172.31.K.1/24, client side
 * 172.31.K.2/24). The node's tools run inside the node's namespace through wrapper scripts
 * ({@code exec ip netns exec NS TOOL "$@"}) that the node is given as its WIREGUARD_*_PATH settings; the tunnel
 * addresses (10.66.0.0/24) exist only inside the namespaces. Names carry a random id, so that runs never collide.
 * {@link #close()} kills every process the network started, by pid, and deletes the namespaces.
 */
final class TestingNetwork implements AutoCloseable {

    /** The node's tunnel address; clients get 10.66.0.(10+K). */
    static final String NODE_TUNNEL_IP = "10.66.0.1";

    private final String id;
    private final int clients;
    private final Path wrappers;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private TestingNetwork(String id, int clients, Path wrappers) {
        this.id = id;
        this.clients = clients;
        this.wrappers = wrappers;
    }

    /** Creates the node's namespace and {@code clients} client namespaces, each joined to the node's by a veth pair. */
    static TestingNetwork create(Path temp, int clients) {
        RealTools.require();
        String id = freshId();
        TestingNetwork network;
        try {
            network = new TestingNetwork(id, clients, Files.createDirectories(temp.resolve("wrappers-" + id)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            network.build();
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** Four hex digits no namespace of the machine uses yet (another test run may be going on). */
    private static String freshId() {
        for (int attempt = 0; ; attempt++) {
            String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
            if (!Files.exists(Path.of("/var/run/netns", "pgwg" + id + "n")) || attempt == 20) {
                return id;
            }
        }
    }

    private void build() {
        addNamespace(nodeNamespace());
        for (int k = 1; k <= clients; k++) {
            addNamespace(clientNamespace(k));
            String nodeSide = "vn" + id + k;
            String clientSide = "vc" + id + k;
            Shell.ok("ip", "link", "add", nodeSide, "netns", nodeNamespace(), "type", "veth", "peer", "name",
                    clientSide, "netns", clientNamespace(k));
            Shell.ok("ip", "-n", nodeNamespace(), "address", "add", nodeVethIp(k) + "/24", "dev", nodeSide);
            Shell.ok("ip", "-n", clientNamespace(k), "address", "add", clientVethIp(k) + "/24", "dev", clientSide);
            Shell.ok("ip", "-n", nodeNamespace(), "link", "set", nodeSide, "up");
            Shell.ok("ip", "-n", clientNamespace(k), "link", "set", clientSide, "up");
        }
        writeWrapper("wireguard-go", RealTools.WIREGUARD_GO);
        writeWrapper("wg", RealTools.WG);
        writeWrapper("ip", RealTools.IP);
        writeWrapper("curl", RealTools.CURL);
    }

    private void addNamespace(String name) {
        Shell.ok("ip", "netns", "add", name);
        namespaces.add(name);
        Shell.ok("ip", "-n", name, "link", "set", "lo", "up");
    }

    private void writeWrapper(String name, Path tool) {
        String script = "#!/bin/sh\nexec " + RealTools.IP + " netns exec " + nodeNamespace() + " " + tool + " \"$@\"\n";
        try {
            Path file = wrappers.resolve(name);
            Files.writeString(file, script);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String nodeNamespace() {
        return "pgwg" + id + "n";
    }

    String clientNamespace(int k) {
        return "pgwg" + id + "c" + k;
    }

    /** A WireGuard interface name of this network: unique on the machine (wireguard-go's sockets are shared). */
    String interfaceName(String role) {
        return "wg" + id + role;
    }

    /** wireguard-go's control socket of an interface (the path wg and wireguard-go have compiled in). */
    static Path socket(String iface) {
        return Path.of("/var/run/wireguard", iface + ".sock");
    }

    String nodeVethIp(int k) {
        return "172.31." + k + ".1";
    }

    /** The address the node sees client K's packets come from: its endpoint. */
    String clientVethIp(int k) {
        return "172.31." + k + ".2";
    }

    /** Client K's address inside the tunnel. */
    static String clientTunnelIp(int k) {
        return "10.66.0." + (10 + k);
    }

    /** The node settings that make the WireGuard plugin run its tools inside the node's namespace. */
    Map<String, String> nodeToolSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("WIREGUARD_GO_PATH", wrappers.resolve("wireguard-go").toString());
        settings.put("WIREGUARD_WG_PATH", wrappers.resolve("wg").toString());
        settings.put("WIREGUARD_IP_PATH", wrappers.resolve("ip").toString());
        settings.put("WIREGUARD_CURL_PATH", wrappers.resolve("curl").toString());
        return settings;
    }

    /** Runs a command inside the node's namespace, as an operator would look at the node. */
    Shell.Result inNode(String... command) {
        return inNamespace(nodeNamespace(), command);
    }

    static Shell.Result inNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of(RealTools.IP.toString(), "netns", "exec", namespace));
        full.addAll(List.of(command));
        return Shell.run(full.toArray(String[]::new));
    }

    /** Whether the node's namespace has an interface of this name. */
    boolean nodeHasInterface(String name) {
        return Shell.run("ip", "-n", nodeNamespace(), "link", "show", "dev", name).succeeded();
    }

    /**
     * One peer's counters as the node's interface has them, read with {@code wg show IFACE transfer} in the node's
     * namespace: what an operator reads, and exactly what the plugin counts from.
     *
     * @param received bytes the node received from the peer
     * @param sent bytes the node sent to the peer
     */
    record PeerCounters(long received, long sent) {}

    PeerCounters nodeCounters(String iface, String publicKey) {
        Shell.Result result = inNode(RealTools.WG.toString(), "show", iface, "transfer");
        if (!result.succeeded()) {
            throw new IllegalStateException("wg show " + iface + " transfer: " + result.output());
        }
        return result.output().lines().map(line -> line.split("\\s+")).filter(f -> f[0].equals(publicKey))
                .map(f -> new PeerCounters(Long.parseLong(f[1]), Long.parseLong(f[2]))).findFirst()
                .orElseThrow(() -> new IllegalStateException(publicKey + " is no peer of " + iface));
    }

    /** Starts a long-running process inside a namespace; {@link #close()} kills it by pid. */
    Process spawn(String namespace, Map<String, String> environment, String... command) {
        List<String> full = new ArrayList<>(List.of(RealTools.IP.toString(), "netns", "exec", namespace));
        full.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            synchronized (processes) {
                processes.add(process);
            }
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path directory() {
        return wrappers;
    }

    @Override
    public void close() {
        List<Process> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        for (Process process : started) {
            process.destroy();
        }
        for (Process process : started) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // deleting a namespace does not end what runs in it: the processes went first
        for (String namespace : namespaces) {
            Shell.run("ip", "netns", "delete", namespace);
        }
    }
}
