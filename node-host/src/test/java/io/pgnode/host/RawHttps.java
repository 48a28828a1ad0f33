package io.pgnode.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS connection to a node that the test writes bytes to by hand: for clients no HTTP library lets you be
 * (one that sends its headers or body slowly, or never, or sends a malformed URL). It trusts only the node's
 * certificate and checks it for 127.0.0.1, as a panel does.
 */
public final class RawHttps implements AutoCloseable {

    /** How long a read may block: only a broken node makes a test wait that long. */
    public static final int READ_TIMEOUT_MILLIS = 60_000;

    private final SSLSocket socket;

    private RawHttps(SSLSocket socket) {
        this.socket = socket;
    }

    /** Connects to the port and completes the TLS handshake. */
    public static RawHttps connect(TestingNode node, int port) {
        try {
            Socket tcp = new Socket("127.0.0.1", port);
            tcp.setSoTimeout(READ_TIMEOUT_MILLIS);
            SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                    .createSocket(tcp, "127.0.0.1", port, true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return new RawHttps(tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request line and headers of an authenticated request, up to and including the blank line. */
    public static String head(TestingNode node, String method, String target, String... headers) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "x-api-key: " + node.apiKey() + "\r\nContent-Type: application/x-protobuf\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    public RawHttps write(String text) {
        return write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttps write(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response (status line, headers, a body of Content-Length bytes). */
    public Response readResponse() {
        try {
            InputStream in = socket.getInputStream();
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new IllegalStateException("the node closed the connection without an answer");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
                    new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the node closed the connection: reads until the end of the stream (true) and returns false only
     * when the read fails otherwise (a reset counts as closed, a read timeout does not).
     */
    public boolean closedByNode() {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) != -1) {
                // whatever the node still sends (e.g. HTTP/2 frames) before it closes
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset, or the TLS layer saw the TCP connection end
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // gone already
        }
    }

    /** The socket, for what the helpers do not cover (e.g. ALPN before the handshake is not possible here). */
    public SSLSocket socket() {
        return socket;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** An answer: status, headers by lower-case name, body as text. */
    public record Response(int status, Map<String, String> headers, String body) {}
}
