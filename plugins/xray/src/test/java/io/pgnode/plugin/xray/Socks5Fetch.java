package io.pgnode.plugin.xray;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A minimal SOCKS5 client that fetches {@code /bytes/N} from a loopback HTTP server through a SOCKS port:
 * real proxied traffic with no client library in between. It says what happened ({@link Outcome}) rather than
 * deciding by a timeout whether the path works: a body that arrived, a connection the path closed, or no
 * answer at all, which is neither a success nor a refusal.
 */
final class Socks5Fetch {

    /**
     * What a fetch came to.
     *
     * @param delivered the whole body arrived
     * @param closed the connection ended (closed or reset) before the whole body arrived
     * @param detail what was seen, for assertion messages
     */
    record Outcome(boolean delivered, boolean closed, String detail) {

        /** Neither: nothing came for as long as the fetch was willing to wait. */
        boolean unanswered() {
            return !delivered && !closed;
        }

        @Override
        public String toString() {
            return (delivered ? "delivered" : closed ? "closed" : "no answer") + " (" + detail + ")";
        }
    }

    /**
     * Bytes of padding in every request, more than any core reads from a connection it refuses before it
     * closes it. VMess and Shadowsocks servers refuse a bad credential only after draining a few kB (v2ray
     * 4.34: VMess up to 3,384 bytes, an anti-probing measure); a request shorter than that leaves the refused
     * connection open until the client gives up, so the refusal would look like silence.
     */
    static final int PADDING = 4096;

    private static final byte[] PAD = "p".repeat(PADDING).getBytes(StandardCharsets.US_ASCII);

    private Socks5Fetch() {}

    /**
     * Fetches {@code bytes} bytes from 127.0.0.1:{@code httpPort} through the SOCKS5 proxy on
     * 127.0.0.1:{@code socksPort}, waiting at most {@code patience} for each step.
     *
     * @throws IOException when the local SOCKS proxy itself cannot be used (not listening, not SOCKS5) or the
     *     answer is not the test HTTP server's: the test's own setup is broken
     */
    static Outcome fetch(int socksPort, int httpPort, int bytes, Duration patience) throws IOException {
        try (Download download = open(socksPort, httpPort, bytes, patience)) {
            return download.finish();
        }
    }

    /**
     * Sends the request of {@link #fetch} and returns before reading the answer, so that a test can hold a
     * download open (read part of it, do something to the server, then read the rest).
     */
    static Download open(int socksPort, int httpPort, int bytes, Duration patience) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socksPort), (int) patience.toMillis());
            socket.setSoTimeout((int) patience.toMillis());
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out.write(new byte[] {5, 1, 0});
            if (in.readByte() != 5 || in.readByte() != 0) {
                throw new IOException("the SOCKS server on port " + socksPort + " refused no-auth");
            }
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (httpPort >> 8), (byte) httpPort});
            byte[] reply = new byte[4];
            in.readFully(reply);
            if (reply[1] != 0) {
                throw new IOException("the SOCKS server on port " + socksPort + " answered CONNECT with " + reply[1]);
            }
            int addressLength = reply[3] == 1 ? 4 : reply[3] == 4 ? 16 : in.readUnsignedByte();
            in.readFully(new byte[addressLength + 2]);
            return new Download(socket, in, out, bytes, patience);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A fetch under way: the client proxy accepted CONNECT; from here on, what happens is the path's doing. */
    static final class Download implements AutoCloseable {

        private final Socket socket;
        private final DataInputStream in;
        private final int bytes;
        private final Duration patience;
        private final byte[] buffer = new byte[8192];
        private Outcome ended; // set once the request could not be sent or the answer failed
        private long length = -1; // the body's length, once the headers are read
        private long received;

        private Download(Socket socket, DataInputStream in, OutputStream out, int bytes, Duration patience)
                throws IOException {
            this.socket = socket;
            this.in = in;
            this.bytes = bytes;
            this.patience = patience;
            try {
                out.write(("GET /bytes/" + bytes + " HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Padding: ")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(PAD);
                out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (SocketException e) {
                ended = closed(e);
            }
        }

        /** Reads until at least {@code atLeast} body bytes arrived in all (or the download ended); returns them. */
        long readAtLeast(long atLeast) throws IOException {
            while (ended == null && received < Math.min(atLeast, bytes)) {
                step();
            }
            return received;
        }

        /** Reads the rest of the body and says what the whole fetch came to. */
        Outcome finish() throws IOException {
            while (ended == null) {
                step();
            }
            return ended;
        }

        /**
         * One read of the answer: the headers first (exactly Content-Length bytes follow; not reading to EOF
         * matters, a proxy keeps the client side open for a few seconds after the server closed: v2ray's
         * uplinkOnly).
         */
        private void step() throws IOException {
            try {
                if (length < 0) {
                    length = contentLength(in);
                } else if (received == length) {
                    ended = received == bytes ? new Outcome(true, false, received + " bytes")
                            : new Outcome(false, true, "a body of " + received + " bytes, not " + bytes);
                } else {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - received));
                    if (n < 0) {
                        ended = new Outcome(false, true, "closed after " + received + " of " + bytes + " body bytes");
                    } else {
                        received += n;
                    }
                }
            } catch (SocketTimeoutException e) {
                ended = new Outcome(false, false, "nothing for " + patience.toSeconds() + " s after "
                        + received + " body bytes");
            } catch (EOFException | SocketException e) {
                ended = closed(e);
            }
        }

        private static Outcome closed(IOException e) {
            return new Outcome(false, true, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads the status line and headers; returns the body's Content-Length. */
    private static long contentLength(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.") || !status.contains(" 200 ")) {
            throw new IOException("no HTTP 200 through the proxy: '" + status + "'");
        }
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(header.substring("content-length:".length()).strip());
            }
        }
        if (length < 0) {
            throw new IOException("the HTTP response has no Content-Length");
        }
        return length;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed before the HTTP headers ended");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
