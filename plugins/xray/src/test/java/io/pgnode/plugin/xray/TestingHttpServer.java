package io.pgnode.plugin.xray;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP server on a free loopback port, the far end of proxied test traffic: {@code GET /bytes/N}
 * answers N bytes.
 */
final class TestingHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread thread = new Thread(r, "testing-http");
        thread.setDaemon(true);
        return thread;
    });

    TestingHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/bytes/", exchange -> {
            int size = Integer.parseInt(exchange.getRequestURI().getPath().substring("/bytes/".length()));
            exchange.sendResponseHeaders(200, size);
            try (OutputStream body = exchange.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int left = size; left > 0; left -= chunk.length) {
                    body.write(chunk, 0, Math.min(left, chunk.length));
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
