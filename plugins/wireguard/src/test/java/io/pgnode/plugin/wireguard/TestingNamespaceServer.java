package io.pgnode.plugin.wireguard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts {@link NamespaceHttpServer} inside a namespace of a {@link TestingNetwork}, which stops it. */
final class TestingNamespaceServer {

    static final int PORT = 8080;

    private TestingNamespaceServer() {}

    /** Starts the server on port {@value #PORT} of the namespace and waits until it listens (at most 30 s). */
    static void start(TestingNetwork network, String namespace) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = network.spawn(namespace, Map.of(), java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp",
                testClasses().toString(), NamespaceHttpServer.class.getName(), String.valueOf(PORT));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String line = firstLine.get(30, TimeUnit.SECONDS);
            if (!"ready".equals(line)) {
                throw new IllegalStateException("the HTTP server in " + namespace + " said: " + line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the HTTP server in " + namespace + " did not start", e);
        }
    }

    private static Path testClasses() {
        try {
            return Path.of(NamespaceHttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
