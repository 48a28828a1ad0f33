package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * U3: what background drains of the big set cost the core. Two nodes one after the other, each with every user
 * visited (so the core holds 2 counters per user) and no poll meanwhile: one with the default drain interval,
 * watched over three drains ({@link BackgroundDrains}); one with USAGE_DRAIN_INTERVAL=3600 (no drain), whose core's
 * CPU over as long a window is the baseline (the idle core). The figure is the difference, in % of one CPU.
 */
final class DrainCost {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);

    private final Distribution distribution;
    private final BenchOptions options;

    DrainCost(Distribution distribution, BenchOptions options) {
        this.distribution = distribution;
        this.options = options;
    }

    List<Row> run() throws InterruptedException {
        int users = options.users();
        Samples drains = new Samples();
        Samples idle = new Samples();
        Samples gaps = new Samples();
        double span;
        try (Loaded loaded = Loaded.start(distribution, options, "drains-default", Map.of(), users)) {
            BackgroundDrains.Watch watch = BackgroundDrains.watch(loaded.core, loaded.visits, loaded.config.vlessPort(),
                    users - 1, loaded.corePid, options.smoke() ? 1 : 3, Duration.ofMinutes(5));
            watch.gapsSeconds().forEach(gaps::add);
            span = watch.gapsSeconds().stream().mapToDouble(Double::doubleValue).sum();
            drains.add(watch.coreCpuShare());
        }
        try (Loaded loaded = Loaded.start(distribution, options, "drains-none", Map.of("USAGE_DRAIN_INTERVAL", "3600"),
                users)) {
            double before = ProcessCpu.millis(loaded.corePid);
            CoreAlone.pause((long) (span * 1000)); // the measuring window, as long as the watched one
            idle.add((ProcessCpu.millis(loaded.corePid) - before) / 10 / span);
        }
        Samples cost = new Samples();
        cost.add(drains.median() - idle.median());
        return List.of(
                Row.bound("U3 core CPU for background drains, " + users + " users (beside the idle core's)", cost,
                        Row.format(idle.median(), "%") + " (idle core)", "%", 2),
                new Row("U3 time between background drains, " + users + " users", Row.format(gaps.median(), "s"), "—",
                        "—", "—", true, "node " + gaps));
    }

    /** A node with the Xray backend started with {@code users} users, each of whom visited the core once. */
    private static final class Loaded implements AutoCloseable {
        final InstalledNode node;
        final BenchConfig config = BenchConfig.onFreePorts();
        final VlessVisits visits;
        final DirectCoreApi core;
        final long corePid;

        private Loaded(InstalledNode node, BenchOptions options, int users) throws InterruptedException {
            this.node = node;
            Backend start = Backend.newBuilder().setType(BackendType.XRAY).setConfig(config.json())
                    .addAllUsers(BenchUsers.users(users, i -> 0)).build();
            check(node.grpc().withDeadlineAfter(START_LIMIT.toSeconds(), TimeUnit.SECONDS).start(start).getStarted(),
                    "the node answered started=false");
            corePid = node.corePid(options.core().getFileName().toString()).orElseThrow(
                    () -> new IllegalStateException("no core process under the node after Start"));
            visits = new VlessVisits();
            core = new DirectCoreApi(CoreAlone.apiPort(options.generatedConfig()), DirectCoreApi.V2FLY);
            int answered = visits.visitAll(config.vlessPort(), users);
            check(answered == users, "only " + answered + " of " + users + " users got through the core's VLESS inbound");
        }

        static Loaded start(Distribution distribution, BenchOptions options, String name, Map<String, String> more,
                int users) throws InterruptedException {
            Map<String, String> settings = new java.util.LinkedHashMap<>(options.nodeSettings());
            settings.putAll(more);
            InstalledNode node = InstalledNode.start(distribution, options.workDirectory().resolve(name), settings);
            try {
                return new Loaded(node, options, users);
            } catch (RuntimeException | InterruptedException e) {
                node.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                core.close();
                visits.close();
                node.grpc().stop(Empty.getDefaultInstance());
            } finally {
                node.close();
            }
        }
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }
}
