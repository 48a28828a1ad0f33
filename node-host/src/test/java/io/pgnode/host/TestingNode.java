package io.pgnode.host;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.pgnode.host.auth.ApiKey;
import io.pgnode.host.config.SettingSources;
import io.pgnode.host.config.Settings;
import io.pgnode.host.grpc.GrpcLimits;
import io.pgnode.host.rest.RestLimits;
import io.pgnode.proto.NodeServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real node for end-to-end tests: a {@link NodeHost} booted in this JVM through the normal boot path
 * (settings, data directory, API key, generated certificate, plugin loading), with both transports on
 * loopback ports the OS picks, and clients that talk to it exactly as a panel does.
 *
 * <p>A plugin module gets it with two test-scoped dependencies: {@code io.pgnode:node-host} and
 * {@code io.pgnode:node-host} with {@code <type>test-jar</type>}. Its test:
 * <pre>{@code
 * @TempDir Path temp;
 *
 * @Test
 * void startsTheCore() throws Exception {
 *     Path plugins = Files.createDirectory(temp.resolve("plugins"));
 *     // the plugin as it ships (a failsafe test runs after package), or built from the module's classes:
 *     // TestingPluginArchive.plugin("xray").classesDirectory(Path.of("target/classes"))
 *     //         .library(jarOfEachBundledDependency).writeZip(plugins);
 *     Files.copy(Path.of("target/xray-plugin-1.0.0.zip"), plugins.resolve("xray-plugin-1.0.0.zip"));
 *     try (TestingNode node = TestingNode.builder()
 *             .pluginsDir(plugins)
 *             .setting("XRAY_EXECUTABLE_PATH", "/usr/bin/v2ray")
 *             .start()) {
 *         BaseInfoResponse info = node.rest().start(Backend.newBuilder().setConfig(config).build());
 *         assertThat(node.grpc().getBaseInfo(Empty.getDefaultInstance())).isEqualTo(info);
 *         Path generated = node.workDirectory("xray");   // the backend's BackendContext.workDirectory()
 *     }
 * }
 * }</pre>
 *
 * <p>Plugins see only the JDK, the SPI, pf4j and slf4j of the node: everything else they use must be in the
 * archive ({@code lib/} of a zip), exactly as in production.
 *
 * <p>Settings come from the builder only (passed as the node's environment); the working directory is a
 * fresh temporary directory unless given, so no {@code .env} or {@code conf/node.yml} of the build leaks in.
 * DATA_DIR defaults to {@code data/} in it; the API key is a random UUID unless {@link
 * Builder#generatedApiKey()} lets the node generate one. {@link #close()} stops the node (and the backend)
 * and deletes the temporary working directory.
 */
public final class TestingNode implements AutoCloseable {

    private final NodeHost host;
    private final Path workingDirectory;
    private final boolean ownsWorkingDirectory;
    private final Path dataDir;
    private final ByteArrayOutputStream stdout;
    private final X509Certificate certificate;
    private final ManagedChannel channel;
    private final HttpClient http;
    private final String apiKey;

    private TestingNode(NodeHost host, Path workingDirectory, boolean ownsWorkingDirectory, Path dataDir,
            ByteArrayOutputStream stdout, String apiKey) {
        this.apiKey = apiKey;
        this.host = host;
        this.workingDirectory = workingDirectory;
        this.ownsWorkingDirectory = ownsWorkingDirectory;
        this.dataDir = dataDir;
        this.stdout = stdout;
        this.certificate = readCertificate(host.certificateFile());
        this.http = TestingRestClient.httpClientTrusting(certificate);
        this.channel = host.grpcPort() == 0 ? null : channelTo("127.0.0.1", host.grpcPort(), host.certificateFile());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The node itself. */
    public NodeHost host() {
        return host;
    }

    /** The directory the node was started in (where it looks for {@code .env} and {@code conf/node.yml}). */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** DATA_DIR: the API key, the generated certificate, {@code backends/<name>/} work directories. */
    public Path dataDir() {
        return dataDir;
    }

    /** The work directory the node gives the backend of this name. */
    public Path workDirectory(String backendName) {
        return dataDir.resolve("backends").resolve(backendName);
    }

    /** The node's API key: the configured one, or the one it generated into DATA_DIR. */
    public String apiKey() {
        return apiKey;
    }

    /** What the node printed to stdout (the one-time API key notice). */
    public String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    public Path certificateFile() {
        return host.certificateFile();
    }

    /** How many log streams (REST {@code /logs} and gRPC {@code GetLogs}) the node has open now. */
    public int logReaderCount() {
        return host.logReaderCount();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public int restPort() {
        return host.restPort();
    }

    public int grpcPort() {
        return host.grpcPort();
    }

    /** A REST client sending the API key in {@code x-api-key}. */
    public TestingRestClient rest() {
        return new TestingRestClient(http, URI.create("https://127.0.0.1:" + restPort()),
                Map.of("x-api-key", apiKey));
    }

    /** A blocking gRPC stub sending the API key in {@code x-api-key} metadata. */
    public NodeServiceGrpc.NodeServiceBlockingStub grpc() {
        return grpcWithHeaders(Map.of("x-api-key", apiKey));
    }

    /** An async gRPC stub sending the API key in {@code x-api-key} metadata (for the streaming RPCs). */
    public NodeServiceGrpc.NodeServiceStub grpcAsync() {
        return grpcAsyncWithHeaders(Map.of("x-api-key", apiKey));
    }

    /** A blocking stub on any channel to a node, sending the API key in {@code x-api-key} metadata. */
    public static NodeServiceGrpc.NodeServiceBlockingStub blockingStub(ManagedChannel channel, String apiKey) {
        return NodeServiceGrpc.newBlockingStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(Map.of("x-api-key", apiKey))));
    }

    /** An async stub (for the streaming RPCs) on any channel to a node, sending the API key. */
    public static NodeServiceGrpc.NodeServiceStub asyncStub(ManagedChannel channel, String apiKey) {
        return NodeServiceGrpc.newStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(Map.of("x-api-key", apiKey))));
    }

    /** A blocking stub sending exactly these metadata entries (empty: no auth). */
    public NodeServiceGrpc.NodeServiceBlockingStub grpcWithHeaders(Map<String, String> headers) {
        return NodeServiceGrpc.newBlockingStub(channel()).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(headers)));
    }

    /** An async stub sending exactly these metadata entries (empty: no auth). */
    public NodeServiceGrpc.NodeServiceStub grpcAsyncWithHeaders(Map<String, String> headers) {
        return NodeServiceGrpc.newStub(channel()).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(metadata(headers)));
    }

    /** The TLS channel to the gRPC port, for stubs of your own. */
    public ManagedChannel channel() {
        if (channel == null) {
            throw new IllegalStateException("gRPC is off on this node");
        }
        return channel;
    }

    /** An SSL context whose only trust anchor is the given certificate; host names are still checked. */
    public static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("node", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        host.close();
        if (ownsWorkingDirectory) {
            deleteRecursively(workingDirectory);
        }
    }

    private static Metadata metadata(Map<String, String> headers) {
        Metadata metadata = new Metadata();
        headers.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
        return metadata;
    }

    /**
     * A TLS channel to a node running elsewhere (e.g. the packaged {@code pg-node} in a process of its own),
     * trusting only its certificate; the host name or address is checked against it as a panel does.
     */
    public static ManagedChannel channelTo(String host, int port, Path certificateFile) {
        try {
            return NettyChannelBuilder.forAddress(host, port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(certificateFile.toFile()).build())
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the node's certificate " + file, e);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings and directories of a node to start. */
    public static final class Builder {

        private final Map<String, String> settings = new LinkedHashMap<>();
        private Path pluginsDir;
        private Path workingDirectory;
        private boolean generatedApiKey;
        private LongSupplier nanoClock = System::nanoTime;
        private UnaryOperator<RestLimits> restLimits = UnaryOperator.identity();
        private UnaryOperator<GrpcLimits> grpcLimits = UnaryOperator.identity();

        private Builder() {}

        /** Other REST limits than the node's own (given them, returns the ones to use), e.g. short timeouts. */
        public Builder restLimits(UnaryOperator<RestLimits> change) {
            this.restLimits = requireNonNull(change, "change is null");
            return this;
        }

        /** Other gRPC limits than the node's own (given them, returns the ones to use). */
        public Builder grpcLimits(UnaryOperator<GrpcLimits> change) {
            this.grpcLimits = requireNonNull(change, "change is null");
            return this;
        }

        /** PLUGINS_DIR; without it the node starts with no plugins. */
        public Builder pluginsDir(Path pluginsDir) {
            this.pluginsDir = requireNonNull(pluginsDir, "pluginsDir is null");
            return this;
        }

        /** Any setting, host or plugin, as if it were in the node's environment. */
        public Builder setting(String name, String value) {
            settings.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /** Boot in this directory (kept on close), e.g. to boot twice on the same data. */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory is null");
            return this;
        }

        /** Set no API_KEY: the node generates and persists one on its first boot. */
        public Builder generatedApiKey() {
            this.generatedApiKey = true;
            return this;
        }

        /**
         * The node's keepAlive and drain clock (the system's by default): a {@link TestingNanoClock} lets a test
         * move time instead of waiting for it.
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
            return this;
        }

        public TestingNode start() {
            boolean ownsWorkingDirectory = workingDirectory == null;
            Path directory = ownsWorkingDirectory ? createTempDirectory() : workingDirectory;
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put(Settings.NODE_HOST, "127.0.0.1");
            environment.put(Settings.PLUGINS_DIR, pluginsDir == null ? directory.resolve("no-plugins").toString()
                    : pluginsDir.toString());
            if (!generatedApiKey) {
                environment.put(Settings.API_KEY, UUID.randomUUID().toString());
            }
            environment.putAll(settings);
            Settings parsed = Settings.from(
                    SettingSources.load(environment, directory, Optional.empty()), directory.resolve("no-plugins"));
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            NodeHost host;
            try {
                host = NodeHost.start(parsed, new PrintStream(stdout, true, StandardCharsets.UTF_8), true, nanoClock,
                        restLimits, grpcLimits);
            } catch (RuntimeException e) {
                if (ownsWorkingDirectory) {
                    deleteRecursively(directory);
                }
                throw e;
            }
            String apiKey = parsed.apiKey().map(ApiKey::reveal).orElseGet(() -> readApiKey(parsed.dataDir()));
            return new TestingNode(host, directory, ownsWorkingDirectory, parsed.dataDir(), stdout, apiKey);
        }

        private static String readApiKey(Path dataDir) {
            try {
                return Files.readString(dataDir.resolve("api_key"), StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("the node did not persist its generated API key", e);
            }
        }

        private static Path createTempDirectory() {
            try {
                return Files.createTempDirectory("pg-node-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
