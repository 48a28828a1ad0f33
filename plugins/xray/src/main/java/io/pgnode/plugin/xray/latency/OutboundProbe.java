package io.pgnode.plugin.xray.latency;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One latency probe: an HTTP HEAD of the test URL through the core's probe inbound (SOCKS5, the JDK's own client),
 * from the source address that routes it to one outbound, within the timeout. The target's name goes to the core
 * unresolved, so the outbound resolves it, as for a user's connection. The outbound is alive when the target's HTTP
 * answer arrives (any status): the cores accept a SOCKS connect before their outbound has connected, so a dead
 * outbound shows as a connection closed without an answer.
 */
final class OutboundProbe {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d(\\.\\d)? \\d{3}( .*)?");

    /**
     * What one probe saw.
     *
     * @param delayMillis from the start to the answer's status line, rounded up (at least 1); 0 when not alive
     * @param failure why it was not alive ("" when alive), for the log
     */
    record Outcome(boolean alive, long delayMillis, String failure) {}

    private final InetSocketAddress socks;
    private final URI url;
    private final Duration timeout;

    OutboundProbe(InetSocketAddress socks, URI url, Duration timeout) {
        this.socks = requireNonNull(socks, "socks is null");
        this.url = requireNonNull(url, "url is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** Probes from {@code source}; never throws for what the network does. */
    Outcome from(InetAddress source) {
        long began = System.nanoTime();
        long deadline = began + timeout.toNanos();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        try (Socket proxied = new Socket(new Proxy(Proxy.Type.SOCKS, socks))) {
            proxied.bind(new InetSocketAddress(source, 0));
            proxied.connect(InetSocketAddress.createUnresolved(url.getHost(), port), remaining(deadline));
            Socket connection = tls ? secure(proxied, port, deadline) : proxied;
            connection.setSoTimeout(remaining(deadline));
            OutputStream out = connection.getOutputStream();
            out.write(request(port, tls).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                    StandardCharsets.ISO_8859_1)).readLine();
            if (status == null || !STATUS_LINE.matcher(status).matches()) {
                return new Outcome(false, 0, status == null ? "the connection closed without an answer"
                        : "the answer was not HTTP: " + abbreviated(status));
            }
            long nanos = System.nanoTime() - began;
            return new Outcome(true, Math.max(1, (nanos + 999_999) / 1_000_000), "");
        } catch (IOException | IllegalArgumentException e) {
            return new Outcome(false, 0, e.toString());
        }
    }

    private SSLSocket secure(Socket proxied, int port, long deadline) throws IOException {
        SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(proxied, url.getHost(), port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(remaining(deadline));
        tls.startHandshake();
        return tls;
    }

    private String request(int port, boolean tls) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        return "HEAD " + path + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + (defaultPort ? "" : ":" + port) + "\r\n"
                + "User-Agent: pg-node latency probe\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n\r\n";
    }

    /** Milliseconds left until the deadline, at least 1 (0 would mean "no timeout" to a socket). */
    private static int remaining(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new IOException("the probe's time ran out");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String abbreviated(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
