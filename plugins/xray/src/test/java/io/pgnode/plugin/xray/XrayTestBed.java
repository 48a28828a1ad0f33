package io.pgnode.plugin.xray;

import io.pgnode.proto.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Real proxied traffic for a test elsewhere (the distribution's) that runs a node of its own with the real v2fly
 * core: a panel config with vmess, vless and trojan inbounds on free loopback ports, the panel's users for given
 * emails, a local HTTP server as the far end, and a second v2ray as the users' client, one route per user and
 * protocol. {@link #close()} stops the client core and the HTTP server.
 */
public final class XrayTestBed implements AutoCloseable {

    private final TestingServerInbounds inbounds;
    private final TestingHttpServer http;
    private final TestingV2rayClient client;

    private XrayTestBed(TestingServerInbounds inbounds, TestingHttpServer http, TestingV2rayClient client) {
        this.inbounds = inbounds;
        this.http = http;
        this.client = client;
    }

    /** Inbounds on free ports, the HTTP server, and a client with every route of each of these users. */
    public static XrayTestBed create(String... emails) throws IOException {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>();
        for (String email : emails) {
            routes.addAll(inbounds.routes(email, ""));
        }
        TestingHttpServer http = new TestingHttpServer();
        try {
            return new XrayTestBed(inbounds, http, TestingV2rayClient.start(routes));
        } catch (IOException | RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /** A port free on every address, never one handed out before by this JVM's tests (see RealV2ray). */
    public static int freePort() {
        return RealV2ray.freePort();
    }

    /** The panel's config: the three inbounds, no users (the node injects them), a freedom outbound. */
    public String config() {
        return inbounds.panelConfig();
    }

    /** The same inbounds with one more outbound: another config, so a Start with it restarts the core. */
    public String otherConfig(String outboundName) {
        return inbounds.otherPanelConfig(outboundName);
    }

    /** The panel's user with this email, in every inbound of {@link #config()}. */
    public User user(String email) {
        return TestUsers.panelUser(email, "", TestingServerInbounds.TAGS.toArray(String[]::new));
    }

    /**
     * The user fetches {@code bytes} bytes through the node's core with the protocol's route (vmess, vless,
     * trojan); fails unless the whole body arrived.
     */
    public void fetch(String email, String protocol, int bytes) {
        Socks5Fetch.Outcome outcome = client.fetch(route(email, protocol), http.port(), bytes);
        if (!outcome.delivered()) {
            throw new AssertionError(route(email, protocol) + " is not served: " + outcome + "; the client's problems: "
                    + client.problems());
        }
    }

    /**
     * Starts a download of {@code bytes} bytes through the user's route and reads {@code first} of them: the
     * connection stays open until the test reads the rest ({@link OpenDownload#finish()}).
     */
    public OpenDownload openDownload(String email, String protocol, int bytes, int first) {
        String route = route(email, protocol);
        try {
            Socks5Fetch.Download download = Socks5Fetch.open(client.socksPort(route), http.port(), bytes,
                    TestingV2rayClient.PATIENCE);
            OpenDownload open = new OpenDownload(route, download);
            if (download.readAtLeast(first) < first) {
                String ended = download.finish().toString();
                open.close();
                throw new AssertionError(route + ": the download ended before " + first + " bytes: " + ended);
            }
            return open;
        } catch (IOException e) {
            throw new UncheckedIOException("the client's SOCKS port of " + route + " cannot be used", e);
        }
    }

    /** A download held open by the test. */
    public static final class OpenDownload implements AutoCloseable {

        private final String route;
        private final Socks5Fetch.Download download;

        private OpenDownload(String route, Socks5Fetch.Download download) {
            this.route = route;
            this.download = download;
        }

        /** Reads the rest; fails unless the whole body arrived on the same connection. */
        public void finish() {
            try {
                Socks5Fetch.Outcome outcome = download.finish();
                if (!outcome.delivered()) {
                    throw new AssertionError(route + ": the open download did not go on to its end: " + outcome);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                download.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String route(String email, String protocol) {
        return TestingServerInbounds.route(email, "", protocol);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            client.close();
        } finally {
            http.close();
        }
    }
}
