package io.pgnode.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One real connection per user through the core's VLESS inbound, so that the core holds an uplink and a
 * downlink counter for every user (the v2fly core creates a user's counters on the user's first connection):
 * what P3 on the real core needs. Each visit sends a VLESS request (version 0, the user's id, no addons, TCP to
 * a local sink) with a few bytes, and reads the sink's one-byte answer back through the core.
 */
final class VlessVisits implements AutoCloseable {

    private static final int THREADS = 16;

    private final ServerSocket sink;
    private final Thread acceptor;

    VlessVisits() {
        try {
            sink = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::answer, "vless-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Visits every user {@code 0 .. users-1} of generation 0, trying a visit that failed (a busy machine drops a
     * few of 100,000 connections) up to twice more; returns how many users got the sink's answer.
     */
    int visitAll(int vlessPort, int users) throws InterruptedException {
        List<Integer> pending = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            pending.add(i);
        }
        for (int attempt = 0; attempt < 3 && !pending.isEmpty(); attempt++) {
            pending = visit(vlessPort, pending);
        }
        return users - pending.size();
    }

    /** One visit of user {@code index} (generation 0); whether it got the sink's answer. */
    boolean visit(int vlessPort, int index) {
        return visit(vlessPort, BenchUsers.uuid(index, 0));
    }

    /** Visits the users once each; answers those whose visit failed. */
    private List<Integer> visit(int vlessPort, List<Integer> indexes) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Boolean>> visits = new ArrayList<>(indexes.size());
            for (int index : indexes) {
                UUID id = BenchUsers.uuid(index, 0);
                visits.add(pool.submit(() -> visit(vlessPort, id)));
            }
            List<Integer> failed = new ArrayList<>();
            for (int i = 0; i < visits.size(); i++) {
                try {
                    if (!visits.get(i).get()) {
                        failed.add(indexes.get(i));
                    }
                } catch (ExecutionException e) {
                    failed.add(indexes.get(i));
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    private boolean visit(int vlessPort, UUID id) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), vlessPort), 5_000);
            socket.setSoTimeout(10_000);
            ByteBuffer request = ByteBuffer.allocate(1 + 16 + 1 + 1 + 2 + 1 + 4 + 5);
            request.put((byte) 0).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                    .put((byte) 0)                     // no addons
                    .put((byte) 1)                     // TCP
                    .putShort((short) sink.getLocalPort())
                    .put((byte) 1).put(InetAddress.getLoopbackAddress().getAddress())
                    .put("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(request.array());
            out.flush();
            InputStream in = socket.getInputStream();
            // the VLESS response header (version, addons length) and then the sink's byte
            return in.read() == 0 && in.read() == 0 && in.read() == 'k';
        } catch (IOException e) {
            return false;
        }
    }

    private void answer() {
        while (!sink.isClosed()) {
            try (Socket visitor = sink.accept()) {
                visitor.getOutputStream().write('k');
            } catch (IOException e) {
                if (sink.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            sink.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
