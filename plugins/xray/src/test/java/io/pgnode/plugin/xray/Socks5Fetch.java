package io.pgnode.plugin.xray;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A minimal SOCKS5 client that fetches {@code /bytes/N} from a loopback HTTP server through a SOCKS port:
 * real proxied traffic with no client library in between.
 */
final class Socks5Fetch {

    private Socks5Fetch() {}

    /**
     * Fetches {@code bytes} bytes from 127.0.0.1:{@code httpPort} through the SOCKS5 proxy on
     * 127.0.0.1:{@code socksPort}.
     *
     * @return the body length received
     * @throws IOException when the proxy or the path behind it refuses, closes early or times out
     */
    static int fetch(int socksPort, int httpPort, int bytes, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socksPort), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out.write(new byte[] {5, 1, 0});
            if (in.readByte() != 5 || in.readByte() != 0) {
                throw new IOException("the SOCKS server refused no-auth");
            }
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (httpPort >> 8), (byte) httpPort});
            byte[] reply = new byte[4];
            in.readFully(reply);
            if (reply[1] != 0) {
                throw new IOException("the SOCKS server answered CONNECT with " + reply[1]);
            }
            int addressLength = reply[3] == 1 ? 4 : reply[3] == 4 ? 16 : in.readUnsignedByte();
            in.readFully(new byte[addressLength + 2]);
            out.write(("GET /bytes/" + bytes + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return bodyLength(in);
        }
    }

    /** Whether a fetch through the SOCKS port delivers the whole body. */
    static boolean works(int socksPort, int httpPort, int bytes) {
        try {
            return fetch(socksPort, httpPort, bytes, Duration.ofSeconds(3)) == bytes;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the status line and headers, then exactly Content-Length bytes. Not reading to EOF matters: a
     * proxy keeps the client side open for a few seconds after the server closed (v2ray's uplinkOnly).
     */
    private static int bodyLength(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.") || !status.contains(" 200 ")) {
            throw new IOException("no HTTP 200 through the proxy: '" + status + "'");
        }
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(header.substring("content-length:".length()).strip());
            }
        }
        if (length < 0) {
            throw new IOException("the HTTP response has no Content-Length");
        }
        byte[] buffer = new byte[8192];
        int read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed before the HTTP headers ended");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
