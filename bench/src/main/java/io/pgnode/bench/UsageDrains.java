package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * U2: what a crash of the node can lose with {@value #USERS} users (a smoke run: its user count), the time between two background drains with
 * the default interval (the usage ledger is written after each). Every user visits the core first, so a drain
 * moves {@value #USERS} users' counters; then nothing polls the node while {@link BackgroundDrains} watches.
 * Each run's value is its longest gap.
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
        BenchConfig config = BenchConfig.onFreePorts();
        Backend start = Backend.newBuilder().setType(BackendType.XRAY).setConfig(config.json())
                .addAllUsers(BenchUsers.users(users, i -> 0)).build();
        check(node.grpc().withDeadlineAfter(5, TimeUnit.MINUTES).start(start).getStarted(), "the node answered started=false");
        long corePid = node.corePid(options.core().getFileName().toString()).orElseThrow(
                () -> new IllegalStateException("no core process under the node after Start"));
        try (VlessVisits visits = new VlessVisits();
                DirectCoreApi core = new DirectCoreApi(CoreAlone.apiPort(options.generatedConfig()), DirectCoreApi.V2FLY)) {
            int answered = visits.visitAll(config.vlessPort(), users);
            check(answered == users, "only " + answered + " of " + users + " users got through the core's VLESS inbound");
            for (int run = 0; run < options.runs(); run++) {
                BackgroundDrains.Watch watch = BackgroundDrains.watch(core, visits, config.vlessPort(), run, corePid,
                        options.smoke() ? 1 : 3, Duration.ofMinutes(2));
                longestGap.add(watch.gapsSeconds().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            }
        } finally {
            node.grpc().stop(Empty.getDefaultInstance());
        }
        return List.of(Row.bound("U2 longest time between background drains, " + users + " users (crash loss)",
                longestGap, "—", "s", 5));
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }
}
