package io.pgnode.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.User;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node started from the unpacked distribution ({@code bin/pg-node}, default JVM options) in a process of its
 * own, and clients of it as the panel has them: gRPC and REST over TLS with the certificate the node generated
 * and the key it printed.
 */
final class InstalledNode implements AutoCloseable {

    private static final Pattern PANEL_LINE = Pattern.compile(
            ".*panel: address \\S+, gRPC port (\\d+), REST port (\\d+), API key ([0-9a-f-]{36}), certificate (.+)$");
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(120);

    private final Process process;
    private final Path dataDir;
    private final ManagedChannel channel;
    private final NodeServiceGrpc.NodeServiceBlockingStub grpc;
    private final NodeServiceGrpc.NodeServiceStub grpcAsync;
    private final TestingRestClient rest;

    private InstalledNode(Process process, Path dataDir, String apiKey, int grpcPort, int restPort, Path certificate) {
        this.process = process;
        this.dataDir = dataDir;
        this.channel = TestingNode.channelTo("127.0.0.1", grpcPort, certificate);
        this.grpc = TestingNode.blockingStub(channel, apiKey);
        this.grpcAsync = TestingNode.asyncStub(channel, apiKey);
        this.rest = TestingRestClient.connect(URI.create("https://127.0.0.1:" + restPort), readCertificate(certificate),
                apiKey);
    }

    /**
     * Starts {@code bin/pg-node} in {@code workDirectory} with PATH, free ports, {@code DATA_DIR=workDirectory/data}
     * and the given settings, and waits for the line it prints for the panel. The node's output goes to
     * {@code workDirectory/node.log}.
     */
    static InstalledNode start(Distribution distribution, Path workDirectory, Map<String, String> settings) {
        Path dataDir = workDirectory.resolve("data");
        Path log = workDirectory.resolve("node.log");
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        environment.put("GRPC_PORT", String.valueOf(BenchConfig.freePort()));
        environment.put("REST_PORT", String.valueOf(BenchConfig.freePort()));
        environment.put("DATA_DIR", dataDir.toString());
        environment.putAll(settings);
        ProcessBuilder builder = new ProcessBuilder(distribution.launcher().toString())
                .directory(createDirectories(workDirectory).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Matcher> panelLine = new CompletableFuture<>();
        Thread copier = new Thread(() -> copyOutput(process.getInputStream(), log, panelLine), "pg-node-output");
        copier.setDaemon(true);
        copier.start();
        try {
            Matcher line = panelLine.get(BOOT_LIMIT.toSeconds(), TimeUnit.SECONDS);
            return new InstalledNode(process, dataDir, line.group(3), Integer.parseInt(line.group(1)),
                    Integer.parseInt(line.group(2)), Path.of(line.group(4)));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the node did not print its panel line within " + BOOT_LIMIT + "; see " + log, e);
        }
    }

    private static void copyOutput(InputStream output, Path log, CompletableFuture<Matcher> panelLine) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
                PrintStream file = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                file.println(line);
                Matcher matcher = PANEL_LINE.matcher(line);
                if (!panelLine.isDone() && matcher.matches()) {
                    panelLine.complete(matcher);
                }
            }
        } catch (IOException e) {
            panelLine.completeExceptionally(e);
        }
        panelLine.completeExceptionally(new IllegalStateException("the node's output ended"));
    }

    NodeServiceGrpc.NodeServiceBlockingStub grpc() {
        return grpc;
    }

    TestingRestClient rest() {
        return rest;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The backend's work directory (the core's working directory). */
    Path backendDirectory(String backendName) {
        return dataDir.resolve("backends").resolve(backendName);
    }

    /** One SyncUser call over gRPC: a stream with one user, then the answer. */
    void syncUserOverGrpc(User user) {
        syncUsersOnOneStream(List.of(user));
    }

    /**
     * SyncUser as the panel uses it: one stream kept open, a user per message; returns once the node answered
     * the end of the stream, which it does after it applied every message before it.
     */
    void syncUsersOnOneStream(List<User> users) {
        CompletableFuture<Empty> answer = new CompletableFuture<>();
        StreamObserver<User> call = grpcAsync.withDeadlineAfter(60, TimeUnit.SECONDS).syncUser(new StreamObserver<>() {
            @Override
            public void onNext(Empty value) {}

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.complete(Empty.getDefaultInstance());
            }
        });
        users.forEach(call::onNext);
        call.onCompleted();
        answer.join();
    }

    long pid() {
        return process.pid();
    }

    /** The node's resident set now (VmRSS), in bytes: the JVM process, not its heap. */
    long residentBytes() {
        return ProcessMemory.resident(process.pid());
    }

    /** The most the node's resident set has been since it started (VmHWM), in bytes. */
    long peakResidentBytes() {
        return ProcessMemory.peakResident(process.pid());
    }

    /** The pid of the core the node runs (a child process named {@code executableName}), if one runs. */
    OptionalLong corePid(String executableName) {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(executableName))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst();
    }

    /** SIGTERM, as systemd stops it; KILL if it has not exited within 30 s. */
    @Override
    public void close() {
        channel.shutdownNow();
        Processes.stop(process, Duration.ofSeconds(30));
    }

    private static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the node's certificate " + file, e);
        }
    }

    static Path createDirectories(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
