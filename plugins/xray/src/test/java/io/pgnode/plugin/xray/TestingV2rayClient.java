package io.pgnode.plugin.xray;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second v2ray acting as the client side of proxied traffic: one SOCKS5 port on loopback per route, each
 * routed to an outbound that speaks the route's protocol to the server under test with the route's
 * credentials. Each route connects from a loopback address of its own ({@link #sourceAddress}), so the server
 * core's access lines ({@code 127.1.0.7:41234 rejected ...}) say which route they are about. Reusable by any
 * test that needs real clients (through the host too); {@link ProxiedTraffic} judges what a route got.
 */
final class TestingV2rayClient implements AutoCloseable {

    /**
     * One way through the server.
     *
     * @param name unique name of the route (its SOCKS port is looked up by it)
     * @param protocol vmess, vless, trojan or shadowsocks ({@value #SHADOWSOCKS_METHOD})
     * @param serverPort the server inbound's port on 127.0.0.1
     * @param secret the UUID (vmess, vless) or password (trojan, shadowsocks)
     */
    record Route(String name, String protocol, int serverPort, String secret) {}

    /** The cipher of shadowsocks routes; {@link TestUsers} users carry it. */
    static final String SHADOWSOCKS_METHOD = "aes-128-gcm";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How long a fetch waits for each step before it reports no answer: generous, since neither outcome is
     * decided by it (a served fetch delivers, a refused one is closed by the core and named in its log).
     */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /** How many of the client's last output lines are kept, for assertion messages. */
    private static final int OUTPUT_LINES = 200;

    private final Process process;
    private final Map<String, Integer> socksPorts;
    private final Map<String, String> sourceAddresses;
    private final Deque<String> output;

    private TestingV2rayClient(Process process, Map<String, Integer> socksPorts, Map<String, String> sourceAddresses,
            Deque<String> output) {
        this.process = process;
        this.socksPorts = socksPorts;
        this.sourceAddresses = sourceAddresses;
        this.output = output;
    }

    static TestingV2rayClient start(List<Route> routes) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("log").put("loglevel", "warning");
        ArrayNode inbounds = config.putArray("inbounds");
        ArrayNode outbounds = config.putArray("outbounds");
        ArrayNode rules = config.putObject("routing").putArray("rules");
        Map<String, Integer> ports = new HashMap<>();
        Map<String, String> sources = new HashMap<>();
        for (Route route : routes) {
            int port = RealV2ray.freePort();
            ports.put(route.name(), port);
            String source = sourceAddress(sources.size());
            sources.put(route.name(), source);
            ObjectNode inbound = inbounds.addObject().put("tag", route.name()).put("listen", "127.0.0.1").put("port", port)
                    .put("protocol", "socks");
            inbound.putObject("settings").put("auth", "noauth").put("udp", false);
            outbounds.add(outbound(route).put("sendThrough", source));
            ObjectNode rule = rules.addObject().put("type", "field").put("outboundTag", route.name());
            rule.putArray("inboundTag").add(route.name());
        }
        Process process = new ProcessBuilder(RealV2ray.executable().toString(), "-config", "stdin:")
                .redirectErrorStream(true)
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            JSON.writeValue(stdin, config);
        }
        Deque<String> output = new ArrayDeque<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (output) {
                        if (output.size() == OUTPUT_LINES) {
                            output.removeFirst();
                        }
                        output.addLast(line);
                    }
                }
            } catch (IOException ignored) {
                // the client was stopped
            }
        }, "v2ray-client-output");
        drain.setDaemon(true);
        drain.start();
        TestingV2rayClient client = new TestingV2rayClient(process, ports, sources, output);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> ports.values().stream().allMatch(TestingV2rayClient::accepts));
        return client;
    }

    /** 127.1.0.1, 127.1.0.2, ...: the whole of 127/8 is loopback on Linux, and the server listens on 127.0.0.1. */
    private static String sourceAddress(int index) {
        if (index >= 250 * 250) {
            throw new IllegalArgumentException("too many routes for one client");
        }
        return "127.1." + index / 250 + "." + (index % 250 + 1);
    }

    private static ObjectNode outbound(Route route) {
        ObjectNode outbound = JSON.createObjectNode().put("tag", route.name()).put("protocol", route.protocol());
        ObjectNode settings = outbound.putObject("settings");
        if (route.protocol().equals("trojan")) {
            settings.putArray("servers").addObject().put("address", "127.0.0.1").put("port", route.serverPort())
                    .put("password", route.secret());
        } else if (route.protocol().equals("shadowsocks")) {
            settings.putArray("servers").addObject().put("address", "127.0.0.1").put("port", route.serverPort())
                    .put("method", SHADOWSOCKS_METHOD).put("password", route.secret());
        } else {
            ObjectNode user = settings.putArray("vnext").addObject().put("address", "127.0.0.1")
                    .put("port", route.serverPort()).putArray("users").addObject().put("id", route.secret());
            if (route.protocol().equals("vless")) {
                user.put("encryption", "none");
            } else {
                user.put("alterId", 0);
            }
        }
        return outbound;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    int socksPort(String route) {
        Integer port = socksPorts.get(route);
        if (port == null) {
            throw new IllegalArgumentException("no route " + route);
        }
        return port;
    }

    /** The loopback address a route's connections to the server come from. */
    String sourceAddress(String route) {
        String address = sourceAddresses.get(route);
        if (address == null) {
            throw new IllegalArgumentException("no route " + route);
        }
        return address;
    }

    /** The client's last output lines that mention the route's tag (its access lines name it), oldest first. */
    List<String> linesAbout(String route) {
        synchronized (output) {
            return output.stream().filter(line -> line.contains("[" + route + "]")).toList();
        }
    }

    /** The client's last output lines that are not access lines (its warnings and errors), oldest first. */
    List<String> problems() {
        synchronized (output) {
            return output.stream().filter(line -> !line.contains(" accepted ")).toList();
        }
    }

    /** Fetches {@code bytes} bytes from the HTTP server on {@code httpPort} through the route. */
    Socks5Fetch.Outcome fetch(String route, int httpPort, int bytes) {
        try {
            return Socks5Fetch.fetch(socksPort(route), httpPort, bytes, PATIENCE);
        } catch (IOException e) {
            throw new UncheckedIOException("the client's SOCKS port of " + route + " cannot be used", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
