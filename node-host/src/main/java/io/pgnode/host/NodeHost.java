package io.pgnode.host;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.auth.ApiKeyStore;
import io.pgnode.host.auth.RequestAuthenticator;
import io.pgnode.host.auth.ResolvedApiKey;
import io.pgnode.host.config.DataDirectory;
import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import io.pgnode.host.grpc.GrpcLimits;
import io.pgnode.host.grpc.GrpcServer;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.rest.RestLimits;
import io.pgnode.host.rest.RestServer;
import io.pgnode.host.service.HeapTrim;
import io.pgnode.host.service.RequestActivity;
import io.pgnode.host.service.NodeOptions;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.service.SystemSampler;
import io.pgnode.host.usage.LedgerFile;
import io.pgnode.host.usage.UsageAccounting;
import io.pgnode.host.tls.NodeTls;
import io.pgnode.host.tls.TlsSetup;
import io.pgnode.host.wire.BodyLimit;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node: boots everything in order (settings → data directory → API key → TLS → plugins →
 * NodeService → REST and gRPC listeners) and stops it all in reverse with {@link #close()}, the backend
 * included. A boot that fails half-way closes what it had started and throws {@link StartupException}.
 */
public final class NodeHost implements AutoCloseable {

    /** How often the keepAlive clock is checked. */
    static final Duration KEEP_ALIVE_CHECK = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(NodeHost.class);

    private final Deque<AutoCloseable> running;
    private final NodeService service;
    private final RequestActivity requests;
    private final NodeTls tls;
    private final int restPort;
    private final int grpcPort;
    private final CountDownLatch closed = new CountDownLatch(1);

    private NodeHost(Deque<AutoCloseable> running, NodeService service, RequestActivity requests, NodeTls tls,
            int restPort, int grpcPort) {
        this.running = running;
        this.service = service;
        this.requests = requests;
        this.tls = tls;
        this.restPort = restPort;
        this.grpcPort = grpcPort;
    }

    /**
     * Boots the node.
     *
     * @param stdout where the line telling the operator what to give the panel goes (see {@link PanelLine})
     * @throws StartupException when something the operator controls is wrong (a setting, a file, a port)
     */
    public static NodeHost start(Settings settings, PrintStream stdout) {
        return start(settings, stdout, false);
    }

    /**
     * Boots the node; with {@code anyFreePorts} each transport that is on listens on a port the OS picks
     * (tests: see {@link #restPort()} and {@link #grpcPort()}).
     */
    static NodeHost start(Settings settings, PrintStream stdout, boolean anyFreePorts) {
        return start(settings, stdout, anyFreePorts, System::nanoTime, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * Boots the node for a test: as {@link #start(Settings, PrintStream, boolean)}, with the keepAlive and drain
     * clock given (tests move it) and the transports' limits changed from the node's own (e.g. short timeouts, a
     * small body limit).
     */
    static NodeHost start(Settings settings, PrintStream stdout, boolean anyFreePorts, LongSupplier nanoClock,
            UnaryOperator<RestLimits> restLimits, UnaryOperator<GrpcLimits> grpcLimits) {
        requireNonNull(settings, "settings is null");
        requireNonNull(stdout, "stdout is null");
        requireNonNull(nanoClock, "nanoClock is null");
        String version = NodeVersion.current();
        log.info("pg-node {} starting", version);
        Deque<AutoCloseable> running = new ArrayDeque<>();
        try {
            Path dataDir = DataDirectory.prepare(settings.dataDir());
            ResolvedApiKey apiKey = ApiKeyStore.resolve(settings.apiKey(), dataDir);
            NodeTls tls = TlsSetup.prepare(settings.sslCertFile(), settings.sslKeyFile(), dataDir, settings.tlsSans());
            ScheduledExecutorService scheduler = scheduler();
            push(running, scheduler::shutdownNow);
            BackendRegistry registry = push(running, BackendRegistry.load(settings.pluginsDir(), version));
            warnAboutUnknownYamlNames(settings, registry);
            LedgerFile ledgerFile = new LedgerFile(dataDir);
            UsageAccounting usage = new UsageAccounting(ledgerFile.load(), ledgerFile);
            NodeOptions options = new NodeOptions(version, dataDir, settings.logBufferSize(), settings.logBacklogLines(),
                    settings.keepAliveAction(), KEEP_ALIVE_CHECK, settings.usageDrainInterval());
            RequestActivity requests = new RequestActivity(nanoClock);
            NodeService service = push(running, new NodeService(registry, settings::valuesOf, options,
                    SystemSampler.start(SystemSampler.INTERVAL, scheduler), HeapTrim.withSystemGc(scheduler, requests),
                    usage, nanoClock, scheduler));
            RequestAuthenticator authenticator = new RequestAuthenticator(apiKey.key(), service::recordActivity);
            BodyLimit bodyLimit = BodyLimit.forThisJvm();
            log.info("Request bodies up to {} (1/{} of the heap, at most 64 MiB), {} once parsed ({}/{} of the heap)",
                    BodyLimit.describe(bodyLimit.maxBytes()), BodyLimit.HEAP_FRACTION,
                    BodyLimit.describe(bodyLimit.maxParsedBytes()), BodyLimit.PARSED_FACTOR, BodyLimit.HEAP_FRACTION);
            RestServer rest = null;
            if (settings.restPort() != 0) {
                int port = anyFreePorts ? 0 : settings.restPort();
                rest = push(running, listen("REST", Settings.REST_PORT, settings, port,
                        () -> RestServer.start(settings.nodeHost(), port, tls.material().sslContext(), service,
                                authenticator, requests,
                                restLimits.apply(RestLimits.of(bodyLimit, settings.restBodyTimeout())))));
            }
            GrpcServer grpc = null;
            if (settings.grpcPort() != 0) {
                int port = anyFreePorts ? 0 : settings.grpcPort();
                grpc = push(running, listen("gRPC", Settings.GRPC_PORT, settings, port,
                        () -> GrpcServer.start(settings.nodeHost(), port, tls.material(), service, authenticator,
                                requests, grpcLimits.apply(GrpcLimits.of(bodyLimit)))));
            }
            int restPort = rest == null ? 0 : rest.port();
            int grpcPort = grpc == null ? 0 : grpc.port();
            log.info("pg-node {} ready: REST {}, gRPC {}", version,
                    restPort == 0 ? "off" : settings.nodeHost() + ":" + restPort,
                    grpcPort == 0 ? "off" : settings.nodeHost() + ":" + grpcPort);
            String address = PanelLine.address(settings.nodeHost());
            if (!TlsSetup.isValidFor(tls.material().certificate(), address)) {
                log.warn("The certificate {} is not valid for {}: a panel connecting to that address refuses it. "
                        + "Add it with `pg-node cert --renew --san {}`, restart, and give the panel the new "
                        + "certificate", tls.certificateFile(), address, address);
            }
            stdout.println(PanelLine.of(address, grpcPort, restPort, apiKey, tls.certificateFile()));
            stdout.flush();
            return new NodeHost(stopOrder(scheduler, registry, service, rest, grpc), service, requests, tls, restPort,
                    grpcPort);
        } catch (RuntimeException e) {
            closeAll(running);
            throw e;
        }
    }

    /** The REST port, 0 when REST is off. */
    public int restPort() {
        return restPort;
    }

    /** The gRPC port, 0 when gRPC is off. */
    public int grpcPort() {
        return grpcPort;
    }

    /** How many requests (not streams) the node is serving now, over both transports. */
    public int requestsInFlight() {
        return requests.serving();
    }

    /** The certificate PEM the panel pins. */
    public Path certificateFile() {
        return tls.certificateFile();
    }

    /** How many log streams (REST and gRPC) are open now (for tests). */
    int logReaderCount() {
        return service.logReaderCount();
    }

    /** Blocks until {@link #close()} ran. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops the listeners, then the backend (its core process included), then the plugins. Idempotent. */
    @Override
    public void close() {
        synchronized (running) {
            if (closed.getCount() == 0) {
                return;
            }
            log.info("pg-node stopping");
            closeAll(running);
            log.info("pg-node stopped");
            closed.countDown();
        }
    }

    /**
     * Stop taking calls, stop the backend (its core, and the open log streams end with it), then let the calls
     * in flight finish: a panel reading the logs cannot hold the shutdown up.
     */
    private static Deque<AutoCloseable> stopOrder(ScheduledExecutorService scheduler, BackendRegistry registry,
            NodeService service, RestServer rest, GrpcServer grpc) {
        Deque<AutoCloseable> order = new ArrayDeque<>();
        if (grpc != null) {
            order.add(grpc::stopAccepting);
        }
        if (rest != null) {
            order.add(rest);
        }
        order.add(service);
        if (grpc != null) {
            order.add(grpc);
        }
        order.add(registry);
        order.add(scheduler::shutdownNow);
        return order;
    }

    /**
     * The node's timers (keepAlive check, system sampling, heap trimming): two threads, so that a backend stopped
     * by the keepAlive check never holds the sampler up for long.
     */
    private static ScheduledExecutorService scheduler() {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "node-timer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> running, T resource) {
        running.push(resource);
        return resource;
    }

    private static void closeAll(Deque<AutoCloseable> running) {
        while (!running.isEmpty()) {
            AutoCloseable resource = running.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed", resource.getClass().getSimpleName(), e);
            }
        }
    }

    private interface Listener<T> {
        T start() throws IOException;
    }

    private static <T> T listen(String transport, String setting, Settings settings, int port, Listener<T> listener) {
        try {
            return listener.start();
        } catch (IOException | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause(); // e.g. the BindException inside Undertow's RuntimeException
            }
            throw new StartupException("Cannot listen for " + transport + " on " + settings.nodeHost() + ":" + port
                    + " (" + setting + ", " + Settings.NODE_HOST + "): " + root.getMessage(), e);
        }
    }

    private static void warnAboutUnknownYamlNames(Settings settings, BackendRegistry registry) {
        Set<String> pluginNames = registry.all().stream()
                .flatMap(plugin -> plugin.settingNames().stream())
                .collect(Collectors.toSet());
        Set<String> unknown = settings.unknownYamlNames(pluginNames);
        if (!unknown.isEmpty()) {
            log.warn("{} sets {}, which neither the node nor a plugin reads (a typo?)", settings.yamlOrigin(),
                    String.join(", ", unknown));
        }
    }
}
