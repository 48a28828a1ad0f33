package io.pgnode.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the node's background drains from the outside, on the core's own counter of one user: the user makes a
 * real VLESS visit, and the moment the counter falls back to zero is a drain (the node read it with reset). The
 * time between two such moments is what a crash of the node can lose at most; the core's CPU time over the watch
 * (/proc) is what draining costs it, an upper bound (the core's idle work and this watch's small reads count too).
 * Nothing else may poll the node meanwhile: a poll with reset is itself a collection.
 */
final class BackgroundDrains {

    private static final long READ_PAUSE_MILLIS = 50;

    /**
     * @param gapsSeconds the times between consecutive drains
     * @param coreCpuShare the core's CPU time over the watch / its length, in % of one CPU
     */
    record Watch(List<Double> gapsSeconds, double coreCpuShare) {}

    private BackgroundDrains() {}

    /** Watches {@code gaps} + 1 drains of the counter of user {@code index}, within {@code limit}. */
    static Watch watch(DirectCoreApi core, VlessVisits visits, int vlessPort, int index, long corePid, int gaps,
            Duration limit) {
        String counter = "user>>>" + BenchUsers.email(index) + ">>>traffic>>>downlink";
        long deadline = System.nanoTime() + limit.toNanos();
        List<Double> drains = new ArrayList<>();
        double cpuAtFirst = 0;
        while (drains.size() <= gaps) {
            check(visits.visit(vlessPort, index), "user " + index + "'s visit through the core failed");
            awaitCounter(core, counter, true, deadline);
            awaitCounter(core, counter, false, deadline);
            drains.add(System.nanoTime() / 1e9);
            if (drains.size() == 1) {
                cpuAtFirst = ProcessCpu.millis(corePid);
            }
        }
        double cpuMillis = ProcessCpu.millis(corePid) - cpuAtFirst;
        List<Double> between = new ArrayList<>();
        for (int i = 1; i < drains.size(); i++) {
            between.add(drains.get(i) - drains.get(i - 1));
        }
        double span = drains.get(drains.size() - 1) - drains.get(0);
        return new Watch(between, cpuMillis / 10 / span);
    }

    /** Reads the counter every {@value #READ_PAUSE_MILLIS} ms until it holds bytes ({@code counted}) or is zero. */
    private static void awaitCounter(DirectCoreApi core, String counter, boolean counted, long deadline) {
        while ((core.counter(counter) > 0) != counted) {
            check(System.nanoTime() < deadline, "no background drain of " + counter + " within the watch's limit");
            CoreAlone.pause(READ_PAUSE_MILLIS);
        }
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }
}
