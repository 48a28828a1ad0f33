package io.pgnode.plugin.xray;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A second v2ray acting as the client side of proxied traffic: one SOCKS5 port on loopback per route, each
 * routed to an outbound that speaks the route's protocol to the server under test with the route's
 * credentials. Reusable by any test that needs real clients (through the host too).
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

    private final Process process;
    private final Map<String, Integer> socksPorts;

    private TestingV2rayClient(Process process, Map<String, Integer> socksPorts) {
        this.process = process;
        this.socksPorts = socksPorts;
    }

    static TestingV2rayClient start(List<Route> routes) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("log").put("loglevel", "warning");
        ArrayNode inbounds = config.putArray("inbounds");
        ArrayNode outbounds = config.putArray("outbounds");
        ArrayNode rules = config.putObject("routing").putArray("rules");
        Map<String, Integer> ports = new HashMap<>();
        for (Route route : routes) {
            int port = RealV2ray.freePort();
            ports.put(route.name(), port);
            ObjectNode inbound = inbounds.addObject().put("tag", route.name()).put("listen", "127.0.0.1").put("port", port)
                    .put("protocol", "socks");
            inbound.putObject("settings").put("auth", "noauth").put("udp", false);
            outbounds.add(outbound(route));
            ObjectNode rule = rules.addObject().put("type", "field").put("outboundTag", route.name());
            rule.putArray("inboundTag").add(route.name());
        }
        Process process = new ProcessBuilder(RealV2ray.executable().toString(), "-config", "stdin:")
                .redirectErrorStream(true)
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            JSON.writeValue(stdin, config);
        }
        Thread drain = new Thread(() -> {
            try (InputStream out = process.getInputStream()) {
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the client was stopped
            }
        }, "v2ray-client-output");
        drain.setDaemon(true);
        drain.start();
        TestingV2rayClient client = new TestingV2rayClient(process, ports);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> ports.values().stream().allMatch(TestingV2rayClient::accepts));
        return client;
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

    /**
     * Whether each of a user's routes (one per protocol of {@link TestingServerInbounds}) delivers a whole
     * body of {@code bytes} from the HTTP server now, by route name. Tried in parallel: a refused route
     * fails by timeout.
     */
    Map<String, Boolean> works(String email, String generation, int httpPort, int bytes) {
        Map<String, CompletableFuture<Boolean>> tries = new LinkedHashMap<>();
        for (String protocol : TestingServerInbounds.PROTOCOLS) {
            String route = TestingServerInbounds.route(email, generation, protocol);
            int port = socksPort(route);
            tries.put(route, CompletableFuture.supplyAsync(() -> Socks5Fetch.works(port, httpPort, bytes)));
        }
        Map<String, Boolean> results = new LinkedHashMap<>();
        tries.forEach((route, result) -> results.put(route, result.join()));
        return results;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
