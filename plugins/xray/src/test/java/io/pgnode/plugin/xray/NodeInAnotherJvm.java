package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A node in a JVM of its own, so that a test can kill it as the OOM killer or {@code kill -9} would: the node is
 * {@link TestingNode} booted by this class's {@link #main} in a child process (the test's own classpath, the plugin
 * from its zip), which reports its ports and key in a file and then serves until it is killed.
 */
final class NodeInAnotherJvm implements AutoCloseable {

    private static final String READY = "node-ready.properties";

    private final Process process;
    private final Properties ready;
    private final Path log;

    private NodeInAnotherJvm(Process process, Properties ready, Path log) {
        this.process = process;
        this.ready = ready;
        this.log = log;
    }

    /**
     * Boots a node in a child JVM, in {@code workingDirectory} (its DATA_DIR is {@code data/} there).
     *
     * @param settings node and plugin settings, as its environment would hold them
     */
    static NodeInAnotherJvm start(Path workingDirectory, Path pluginsDir, Map<String, String> settings) throws IOException {
        Files.createDirectories(workingDirectory);
        Path readyFile = workingDirectory.resolve(READY);
        Files.deleteIfExists(readyFile);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                NodeInAnotherJvm.class.getName(), workingDirectory.toString(), pluginsDir.toString()));
        settings.forEach((name, value) -> command.add(name + "=" + value));
        Path log = workingDirectory.resolve("node-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("the child node reports it serves").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.exists(readyFile) || !process.isAlive());
            assertThat(process.isAlive()).as("the child node runs; its log:\n" + Files.readString(log)).isTrue();
            Properties ready = new Properties();
            try (InputStream in = Files.newInputStream(readyFile)) {
                ready.load(in);
            }
            return new NodeInAnotherJvm(process, ready, log);
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The node's process: this test's child. */
    long pid() {
        return process.pid();
    }

    /** A REST client of the node, as the panel is one. */
    TestingRestClient rest() {
        try (InputStream in = Files.newInputStream(Path.of(ready.getProperty("certificate")))) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return TestingRestClient.connect(URI.create("https://127.0.0.1:" + ready.getProperty("restPort")),
                    certificate, ready.getProperty("apiKey"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The work directory the node gives the backend of this name. */
    Path workDirectory(String backendName) {
        return Path.of(ready.getProperty("dataDir")).resolve("backends").resolve(backendName);
    }

    /** What the node logged so far. */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGKILL, as the OOM killer sends it: the node gets no chance to stop anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the node's JVM died").isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** The child: {@code workingDirectory pluginsDir NAME=VALUE...}. */
    public static void main(String[] args) throws Exception {
        Path workingDirectory = Path.of(args[0]);
        TestingNode.Builder builder = TestingNode.builder().workingDirectory(workingDirectory).pluginsDir(Path.of(args[1]));
        for (int i = 2; i < args.length; i++) {
            String[] setting = args[i].split("=", 2);
            builder.setting(setting[0], setting[1]);
        }
        TestingNode node = builder.start();
        Properties ready = new Properties();
        ready.setProperty("restPort", String.valueOf(node.restPort()));
        ready.setProperty("apiKey", node.apiKey());
        ready.setProperty("certificate", node.certificateFile().toAbsolutePath().toString());
        ready.setProperty("dataDir", node.dataDir().toAbsolutePath().toString());
        Path temp = workingDirectory.resolve(READY + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            ready.store(out, "a node in its own JVM");
        }
        Files.move(temp, workingDirectory.resolve(READY), StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join(); // serves until it is killed
    }
}
