package io.pgnode.bench;

import java.time.Duration;
import java.util.List;

/**
 * U2: what a crash of the node can lose with {@value #USERS} users (a smoke run: its user count), the time between
 * two background drains with the default interval (the usage ledger is written after each). Every user visits the
 * core first ({@link VisitedBackend}), so a drain moves {@value #USERS} users' counters; then nothing polls the node
 * while {@link BackgroundDrains} watches. Each run's value is its longest gap.
 */
final class UsageDrains {

    static final int USERS = 10_000;

    private final InstalledNode node;
    private final BenchOptions options;
    private final Samples longestGap = new Samples();

    UsageDrains(InstalledNode node, BenchOptions options) {
        this.node = node;
        this.options = options;
    }

    List<Row> run() throws InterruptedException {
        int users = options.smoke() ? Math.min(USERS, options.users()) : USERS;
        try (VisitedBackend backend = VisitedBackend.start(node, options, users)) {
            for (int run = 0; run < options.runs(); run++) {
                BackgroundDrains.Watch watch = backend.watchDrains(run, options.smoke() ? 1 : 3, Duration.ofMinutes(2));
                longestGap.add(watch.gapsSeconds().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            }
        }
        return List.of(Row.bound("U2 longest time between background drains, " + users + " users (crash loss)",
                longestGap, "—", "s", 5));
    }
}
