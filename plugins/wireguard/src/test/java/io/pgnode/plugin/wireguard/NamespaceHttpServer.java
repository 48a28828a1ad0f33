package io.pgnode.plugin.wireguard;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The far end of the tests' tunnel traffic, run as its own JVM inside a network namespace (only a process started
 * there can listen there): {@code GET /bytes/N} answers N bytes, anything else 204 (HEAD too, for the latency
 * probe). Prints {@code ready} once it listens, and ends with its parent's TERM. JDK classes only: it runs from the
 * test classes directory alone.
 */
public final class NamespaceHttpServer {

    private NamespaceHttpServer() {}

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 16);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/bytes/") && exchange.getRequestMethod().equals("GET")) {
                int size = Integer.parseInt(path.substring("/bytes/".length()));
                exchange.sendResponseHeaders(200, size);
                try (OutputStream body = exchange.getResponseBody()) {
                    byte[] chunk = new byte[8192];
                    for (int left = size; left > 0; left -= chunk.length) {
                        body.write(chunk, 0, Math.min(left, chunk.length));
                    }
                }
            } else {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("ready");
        System.out.flush();
    }
}
