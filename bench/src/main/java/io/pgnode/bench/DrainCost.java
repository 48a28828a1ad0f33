package io.pgnode.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * U3: what background drains of the big set cost the core. Two nodes one after the other, each with every user
 * visited ({@link VisitedBackend}) and no poll meanwhile: one with the default drain interval, watched over three
 * drains ({@link BackgroundDrains}); one with USAGE_DRAIN_INTERVAL=3600 (no drain), whose core's CPU over as long a
 * window is the baseline (the idle core). The figure is the difference, in % of one CPU.
 */
final class DrainCost {

    private final Distribution distribution;
    private final BenchOptions options;

    DrainCost(Distribution distribution, BenchOptions options) {
        this.distribution = distribution;
        this.options = options;
    }

    List<Row> run() throws InterruptedException {
        int users = options.users();
        Samples gaps = new Samples();
        double drainsShare;
        double span;
        try (InstalledNode node = start("drains-default", Map.of());
                VisitedBackend backend = VisitedBackend.start(node, options, users)) {
            BackgroundDrains.Watch watch = backend.watchDrains(users - 1, options.smoke() ? 1 : 3, Duration.ofMinutes(5));
            watch.gapsSeconds().forEach(gaps::add);
            span = watch.gapsSeconds().stream().mapToDouble(Double::doubleValue).sum();
            drainsShare = watch.coreCpuShare();
        }
        double idleShare;
        try (InstalledNode node = start("drains-none", Map.of("USAGE_DRAIN_INTERVAL", "3600"));
                VisitedBackend backend = VisitedBackend.start(node, options, users)) {
            double before = ProcessCpu.millis(backend.corePid);
            CoreAlone.pause((long) (span * 1000)); // the measuring window, as long as the watched one
            idleShare = (ProcessCpu.millis(backend.corePid) - before) / 10 / span;
        }
        Samples cost = new Samples();
        cost.add(drainsShare - idleShare);
        return List.of(
                Row.bound("U3 core CPU for background drains, " + users + " users (beside the idle core's)", cost,
                        Row.format(idleShare, "%") + " (idle core)", "%", 2),
                new Row("U3 time between background drains, " + users + " users", Row.format(gaps.median(), "s"), "—",
                        "—", "—", true, "node " + gaps));
    }

    private InstalledNode start(String name, Map<String, String> more) {
        Map<String, String> settings = new LinkedHashMap<>(options.nodeSettings());
        settings.putAll(more);
        return InstalledNode.start(distribution, options.workDirectory().resolve(name), settings);
    }
}
