package io.pgnode.plugin.xray.latency;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.pgnode.plugin.xray.api.OutboundStatus;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latency of the outbounds that carry traffic to the outside ({@link ProbeRoutes}), for the panel's latency
 * view. An outbound the panel config's observatory reports (Xray only) is answered from the observatory's own
 * latest result; every other one the node measures itself, with an {@link OutboundProbe} through the core. Probes
 * run in parallel, at most {@link Tuning#parallel()} at once, and a result is kept for {@link Tuning#cacheFor()}: a
 * panel that polls, or many that ask at once, share one probe per outbound.
 */
public final class OutboundLatencies implements AutoCloseable {

    public static final String PROBE_SOURCE = "node-probe";
    public static final String OBSERVATORY_SOURCE = "xray-observatory";

    private static final Logger log = LoggerFactory.getLogger(OutboundLatencies.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * @param cacheFor how long a probe's result answers before the outbound is probed again
     * @param parallel how many probes run at once
     */
    public record Tuning(Duration cacheFor, int parallel) {
        public static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(10), 8);

        public Tuning {
            requireNonNull(cacheFor, "cacheFor is null");
            if (parallel < 1) {
                throw new IllegalArgumentException("parallel must be at least 1");
            }
        }
    }

    /** What the latencies need of the backend. */
    public interface Core {
        /** The running core's probe inbound; empty while the core is down. */
        Optional<InetSocketAddress> probeInbound();

        /** The running core's API channel; empty while the core is down. */
        Optional<Channel> api();
    }

    private final ProbeRoutes routes;
    private final LatencySettings settings;
    private final boolean observatory;
    private final String observatoryUrl;
    private final Tuning tuning;
    private final Core core;
    private final ThreadPoolExecutor probes;
    /** Outbound → its latest probe (running or done); guarded by itself. */
    private final Map<String, Probe> latest = new HashMap<>();
    /** Outbound → when a probe last found it alive (Unix seconds). */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    /**
     * @param config the panel's config (its observatory, if any)
     * @param xray whether the core is Xray, whose ObservatoryService reports an observatory's results
     */
    public OutboundLatencies(JsonNode config, ProbeRoutes routes, LatencySettings settings, boolean xray, Tuning tuning,
            Core core) {
        this.routes = requireNonNull(routes, "routes is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.observatory = xray && ObservatoryClient.configured(config);
        this.observatoryUrl = ObservatoryClient.probeUrl(config);
        this.tuning = requireNonNull(tuning, "tuning is null");
        this.core = requireNonNull(core, "core is null");
        String name = "xray-latency-probe-" + INSTANCES.incrementAndGet() + "-";
        AtomicInteger threads = new AtomicInteger();
        this.probes = new ThreadPoolExecutor(tuning.parallel(), tuning.parallel(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, name + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        probes.allowCoreThreadTimeOut(true);
    }

    /**
     * The latency of every outbound that carries traffic to the outside, in config order, or of the one named.
     *
     * @param outbound an outbound's tag, or empty for all
     * @throws BackendException {@code NOT_FOUND} for a tag the config lacks, {@code INVALID_REQUEST} for an outbound
     *     that carries nothing to the outside (blackhole, dns, loopback), {@code FAILURE} while the core is down
     */
    public List<OutboundLatency> measure(String outbound) {
        requireNonNull(outbound, "outbound is null");
        List<String> tags = outbound.isEmpty() ? routes.probed() : List.of(requireProbed(outbound));
        Map<String, OutboundStatus> observed = observed();
        Map<String, CompletableFuture<OutboundLatency>> answers = new LinkedHashMap<>();
        for (String tag : tags) {
            OutboundStatus status = observed.get(tag);
            answers.put(tag, status != null ? CompletableFuture.completedFuture(fromObservatory(tag, status))
                    : probe(tag));
        }
        List<OutboundLatency> latencies = new ArrayList<>();
        long deadline = System.nanoTime() + settings.timeout().plusSeconds(5).toNanos();
        for (Map.Entry<String, CompletableFuture<OutboundLatency>> answer : answers.entrySet()) {
            latencies.add(await(answer.getKey(), answer.getValue(), deadline));
        }
        return latencies;
    }

    private String requireProbed(String tag) {
        if (!routes.hasOutbound(tag)) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "the config has no outbound \"" + tag + "\"");
        }
        if (!routes.probed().contains(tag)) {
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "outbound \"" + tag + "\" is a "
                    + routes.protocol(tag) + " outbound: it carries no traffic to the outside, so it has no latency");
        }
        return tag;
    }

    /** The observatory's results, or none (no observatory, or the core does not answer for it: the node probes). */
    private Map<String, OutboundStatus> observed() {
        Optional<Channel> api = observatory ? core.api() : Optional.empty();
        if (api.isEmpty()) {
            return Map.of();
        }
        try {
            return ObservatoryClient.statuses(api.get());
        } catch (StatusRuntimeException e) {
            log.warn("the core's ObservatoryService did not answer ({}); the node probes the outbounds itself",
                    e.getStatus());
            return Map.of();
        }
    }

    private OutboundLatency fromObservatory(String tag, OutboundStatus status) {
        return new OutboundLatency(tag, status.getAlive(), status.getDelay(), observatoryUrl, status.getLastSeenTime(),
                status.getLastTryTime(), OBSERVATORY_SOURCE);
    }

    /** The outbound's latest probe while it runs or is fresh; otherwise a new one. */
    private CompletableFuture<OutboundLatency> probe(String tag) {
        InetSocketAddress inbound = core.probeInbound().orElseThrow(() -> new BackendException(
                BackendException.Kind.FAILURE, "the core is restarting; measure the latency again in a moment"));
        synchronized (latest) {
            Probe previous = latest.get(tag);
            if (previous != null && previous.usable(tuning.cacheFor())) {
                return previous.result();
            }
            Probe next = new Probe();
            next.start(() -> probeNow(tag, inbound), probes);
            latest.put(tag, next);
            return next.result();
        }
    }

    private OutboundLatency probeNow(String tag, InetSocketAddress inbound) {
        long tried = System.currentTimeMillis() / 1000;
        OutboundProbe.Outcome outcome = new OutboundProbe(inbound, settings.testUrl(), settings.timeout())
                .from(routes.source(tag));
        if (outcome.alive()) {
            lastSeen.put(tag, tried);
        } else {
            log.debug("latency probe of outbound {} failed: {}", tag, outcome.failure());
        }
        return new OutboundLatency(tag, outcome.alive(), outcome.delayMillis(), settings.testUrl().toString(),
                lastSeen.getOrDefault(tag, 0L), tried, PROBE_SOURCE);
    }

    private OutboundLatency await(String tag, CompletableFuture<OutboundLatency> answer, long deadline) {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "the latency probe of outbound \"" + tag
                    + "\" did not finish within " + settings.timeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "the latency probe of outbound \"" + tag
                    + "\" failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while measuring latency", e);
        }
    }

    /** Ends the probe threads; a running probe ends within its timeout. */
    @Override
    public void close() {
        probes.shutdownNow();
    }

    /** One probe of an outbound and when it finished. */
    private static final class Probe {
        private volatile CompletableFuture<OutboundLatency> result;
        /** Set before the result completes, so that a done probe always has its time. */
        private volatile long finishedAt;

        void start(java.util.function.Supplier<OutboundLatency> probe, java.util.concurrent.Executor executor) {
            result = CompletableFuture.supplyAsync(() -> {
                try {
                    return probe.get();
                } finally {
                    finishedAt = System.nanoTime();
                }
            }, executor);
        }

        CompletableFuture<OutboundLatency> result() {
            return result;
        }

        /** Running, or finished within {@code cacheFor}. */
        boolean usable(Duration cacheFor) {
            return !result.isDone() || System.nanoTime() - finishedAt < cacheFor.toNanos();
        }
    }
}
