package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The figures of the big user set, one run after the other (each run a Start of its own):
 * <ul>
 *   <li>P2: the node's Start (gRPC, every user in all three inbounds) from the request to the answer, against the
 *       core alone started with the config the node rendered (DEBUG copy) until its API answers;</li>
 *   <li>P4: a full SyncUsers (gRPC) of the same set with 1% of the users changed (a different 1% each run: six
 *       AlterInbound calls each), which must apply live (same core pid), against a core restart with the set;
 *       and against the same AlterInbound calls straight to the core. Both once the core is at rest
 *       ({@link CoreSettling});</li>
 *   <li>P3 on the real core: once every user has visited the core (one real VLESS connection each, which makes
 *       the core create the user's two counters), GetStats(UsersStat, reset) through the node against
 *       QueryStats straight to the core;</li>
 *   <li>P5: the node's resident set with the set loaded, after the sync (and a few seconds of the panel's light
 *       polls), and again after the stats polls of P3;</li>
 *   <li>U1: right after the sync, a Start with the same config and the synced users, which must keep the core
 *       (same pid), beside the core restart and the sync.</li>

 * </ul>
 */
final class ManyUsers {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);
    /** As many AlterInbound calls in flight as the node's plugin keeps (LiveUserUpdater). */
    private static final int IN_FLIGHT = 32;
    /** P3 poll rounds a run may set aside (an answer broke, or the round right after one) before it gives up. */
    private static final int MAX_SET_ASIDE = 10;
    private static final int COUNT_ATTEMPTS = 15;
    private static final StatRequest USERS_WITH_RESET =
            StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build();

    private final InstalledNode node;
    private final BenchOptions options;
    private final Samples nodeStart = new Samples();
    private final Samples coreStart = new Samples();
    private final Samples nodeSync = new Samples();
    private final Samples unchangedStart = new Samples();

    private final Samples directSync = new Samples();
    private final Samples statsGrpc = new Samples();
    private final Samples statsRest = new Samples();
    private final Samples statsDirect = new Samples();
    private final Samples nodeCpuPerPoll = new Samples();
    private final Samples coreCpuPerPoll = new Samples();
    private final Samples peakResident = new Samples();
    private final Samples residentAfterSync = new Samples();
    private final Samples residentAfterPolls = new Samples();
    private final Samples coreResident = new Samples();
    /** How long the core took to come to rest before P4's sync, and before its calls straight to the core. */
    private final Samples settled = new Samples();
    /** P3 poll rounds set aside over all runs. */
    private int setAside;

    ManyUsers(InstalledNode node, BenchOptions options) {
        this.node = node;
        this.options = options;
    }

    void run() throws InterruptedException {
        BenchConfig config = BenchConfig.onFreePorts();
        int users = options.users();
        int changed = Math.max(1, users / 100);
        for (int run = 0; run < options.runs(); run++) {
            Backend start = Backend.newBuilder().setType(BackendType.XRAY).setConfig(config.json())
                    .addAllUsers(BenchUsers.users(users, i -> 0)).build();
            long began = System.nanoTime();
            BaseInfoResponse answer = node.grpc().withDeadlineAfter(START_LIMIT.toSeconds(), TimeUnit.SECONDS).start(start);
            nodeStart.add((System.nanoTime() - began) / 1e9);
            check(answer.getStarted(), "the node answered started=false");
            long corePid = node.corePid(options.core().getFileName().toString()).orElseThrow(
                    () -> new IllegalStateException("no core process under the node after Start"));
            settled.add(CoreSettling.await(corePid));

            int first = (run * changed) % users;
            int generation = run + 1;
            List<User> next = BenchUsers.users(users, i -> i >= first && i < first + changed ? generation : 0);
            Users sync = Users.newBuilder().addAllUsers(next).build();
            began = System.nanoTime();
            node.grpc().withDeadlineAfter(START_LIMIT.toSeconds(), TimeUnit.SECONDS).syncUsers(sync);
            nodeSync.add((System.nanoTime() - began) / 1e9);
            check(node.corePid(options.core().getFileName().toString()).orElse(-1) == corePid,
                    "the core was restarted by a sync of " + changed + " changed users; it must apply live");
            Backend unchanged = Backend.newBuilder().setType(BackendType.XRAY).setConfig(config.json())
                    .addAllUsers(next).build();
            began = System.nanoTime();
            check(node.grpc().withDeadlineAfter(START_LIMIT.toSeconds(), TimeUnit.SECONDS).start(unchanged).getStarted(),
                    "the node answered started=false to a Start of the same config and users");
            unchangedStart.add((System.nanoTime() - began) / 1e9);
            check(node.corePid(options.core().getFileName().toString()).orElse(-1) == corePid,
                    "a Start of the same config and users restarted the core; it must keep it");
            settled.add(CoreSettling.await(corePid));
            directSync.add(syncStraightToTheCore(first, changed));

            lightPolls();
            residentAfterSync.add(node.residentBytes() / ProcessMemory.MIB);
            pollStats(config, users, corePid);
            residentAfterPolls.add(node.residentBytes() / ProcessMemory.MIB);

            node.grpc().stop(Empty.getDefaultInstance());
            peakResident.add(node.peakResidentBytes() / ProcessMemory.MIB);

            try (CoreAlone core = CoreAlone.start(options.core(), options.generatedConfig(),
                    options.workDirectory().resolve("core-alone.log"), START_LIMIT)) {
                coreStart.add(core.secondsToApi());
                coreResident.add(ProcessMemory.resident(core.pid()) / ProcessMemory.MIB);
            }
        }
    }

    /** What a panel asks between the big requests: system stats and info, twice a second (five seconds' worth). */
    private void lightPolls() {
        for (int poll = 0; poll < options.lightPolls(); poll++) {
            node.grpc().getSystemStats(Empty.getDefaultInstance());
            node.grpc().getBaseInfo(Empty.getDefaultInstance());
            CoreAlone.pause(500);
        }
    }

    /**
     * P3 on the real core: every user visits, then the three paths take turns; each run's value is a median. The
     * CPU time of the node's process and of the core's (/proc) is summed over the node's measured polls (gRPC and
     * REST), the core's own work for them included.
     */
    private void pollStats(BenchConfig config, int users, long corePid) throws InterruptedException {
        try (VlessVisits visits = new VlessVisits();
                DirectCoreApi core = new DirectCoreApi(CoreAlone.apiPort(options.generatedConfig()), DirectCoreApi.V2FLY)) {
            int answered = visits.visitAll(config.vlessPort(), users);
            check(answered == users, "only " + answered + " of " + users + " users got through the core's VLESS inbound");
            int counters = countUserCounters(core);
            check(counters == 2 * users, "the core holds " + counters + " user counters, not " + 2 * users);
            List<Double> grpc = new ArrayList<>();
            List<Double> rest = new ArrayList<>();
            List<Double> direct = new ArrayList<>();
            double nodeCpu = 0;
            double coreCpu = 0;
            // the first good round warms each path up; after a refusal the node reads once without reset first,
            // so the next good round is set aside as well
            boolean warmUpNext = true;
            int round = 0;
            while (grpc.size() < options.statsPolls() && round++ < options.statsPolls() + 1 + MAX_SET_ASIDE) {
                double nodeCpuBefore = ProcessCpu.millis(node.pid());
                double coreCpuBefore = ProcessCpu.millis(corePid);
                double viaGrpc;
                double viaRest;
                double nodeCpuUsed;
                double coreCpuUsed;
                double straight;
                try {
                    viaGrpc = timed(() -> check(node.grpc().withDeadlineAfter(2, TimeUnit.MINUTES)
                            .getStats(USERS_WITH_RESET).getStatsCount() == 2 * users, "the node's gRPC answer is short"));
                    viaRest = timed(() -> check(node.rest().stats(USERS_WITH_RESET).getStatsCount() == 2 * users,
                            "the node's REST answer is short"));
                    nodeCpuUsed = ProcessCpu.millis(node.pid()) - nodeCpuBefore;
                    coreCpuUsed = ProcessCpu.millis(corePid) - coreCpuBefore;
                    straight = timed(() -> check(core.queryStats("user>>>", true).getStatCount() == 2 * users,
                            "the core's answer is short"));
                } catch (RuntimeException broken) {
                    // the core's big answers break now and then under load (README "Usage")
                    System.err.println("P3: a poll round is set aside: " + broken);
                    setAside++;
                    warmUpNext = true;
                    CoreAlone.pause(1000); // such breaks come in spells of seconds
                    continue;
                }
                if (warmUpNext) {
                    warmUpNext = false;
                    continue;
                }
                grpc.add(viaGrpc);
                rest.add(viaRest);
                direct.add(straight);
                nodeCpu += nodeCpuUsed;
                coreCpu += coreCpuUsed;
            }
            check(!grpc.isEmpty(), "no P3 poll round got through in " + (round - 1) + " rounds");
            statsGrpc.add(Samples.medianOf(grpc));
            statsRest.add(Samples.medianOf(rest));
            statsDirect.add(Samples.medianOf(direct));
            int nodePolls = 2 * grpc.size();
            nodeCpuPerPoll.add(nodeCpu / nodePolls);
            coreCpuPerPoll.add(coreCpu / nodePolls);
        }
    }

    /**
     * The core's user counters after the visits. Its answers break in spells of seconds under that load (README
     * "Usage"), so it is asked up to {@value #COUNT_ATTEMPTS} times, a second apart.
     */
    private static int countUserCounters(DirectCoreApi core) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
            try {
                return core.queryStats("user>>>", false).getStatCount();
            } catch (RuntimeException broken) {
                System.err.println("P3: the core's count of user counters broke: " + broken);
                last = broken;
                CoreAlone.pause(1000);
            }
        }
        throw last;
    }

    private static double timed(Runnable call) {
        long began = System.nanoTime();
        call.run();
        return (System.nanoTime() - began) / 1e6;
    }

    /**
     * The AlterInbound calls of the sync just measured, straight to the core: the same users change back to
     * their first credentials (a removal and an add in each inbound), {@value #IN_FLIGHT} calls in flight as the
     * node has them. (The node's view of those users is stale afterwards; the backend is stopped next.)
     */
    private double syncStraightToTheCore(int first, int count) throws InterruptedException {
        try (DirectCoreApi core = new DirectCoreApi(CoreAlone.apiPort(options.generatedConfig()), DirectCoreApi.V2FLY)) {
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            List<CompletableFuture<Void>> changes = new ArrayList<>();
            long began = System.nanoTime();
            for (int i = first; i < first + count; i++) {
                String email = BenchUsers.email(i);
                int index = i;
                for (String tag : BenchConfig.TAGS) {
                    inFlight.acquire();
                    CompletableFuture<Void> change = core.removeUser(tag, email)
                            .thenCompose(removed -> core.addUser(tag, email, core.account(tag, index, 0)));
                    change.whenComplete((done, error) -> inFlight.release());
                    changes.add(change);
                }
            }
            CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new)).join();
            return (System.nanoTime() - began) / 1e9;
        }
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }

    /** The row, its samples followed by how many P3 poll rounds were set aside over all runs. */
    private Row withSetAside(Row row) {
        return new Row(row.figure(), row.node(), row.coreDirect(), row.ratio(), row.target(), row.pass(),
                row.samples() + "; " + setAside + " poll rounds set aside (a broken answer, or the round after one)");
    }

    List<Row> rows() {
        int users = options.users();
        String core = Row.format(coreResident.median(), "MiB") + " (core)";
        return List.of(
                Row.ratio("P2 Start with " + users + " users", nodeStart, coreStart, "s", 1.2),
                withSetAside(Row.ratio("P3 GetStats(UsersStat), " + users + " users × 2, gRPC (real core)", statsGrpc,
                        statsDirect, "ms", 1.2)),
                Row.ratio("P3 GetStats(UsersStat), " + users + " users × 2, REST (real core)", statsRest, statsDirect,
                        "ms", 1.2),
                Row.ratio("P3 node CPU per poll / core CPU per poll (real core, gRPC and REST polls)", nodeCpuPerPoll,
                        coreCpuPerPoll, "ms", 0.5),
                Row.info("P4 SyncUsers of " + users + ", 1% changed (vs core restart)", nodeSync, coreStart, "s"),
                Row.ratio("P4 SyncUsers, vs its AlterInbound calls straight to the core", nodeSync, directSync, "s", 1.5),
                new Row("P4 wait for the core at rest, before the sync and before its calls straight to it",
                        Row.format(settled.median(), "s"), "—", "—", "—", true, "waits " + settled),
                Row.bound("P5 node RSS, " + users + " users loaded (after Start and sync)", residentAfterSync, core,
                        "MiB", 256),
                Row.bound("P5 node RSS, " + users + " users loaded (after P3's stats polls)", residentAfterPolls, core,
                        "MiB", 256),
                Row.bound("P5 node RSS, peak during the big runs (VmHWM)", peakResident, "—", "MiB", 320),
                Row.bound("U1 Start of " + users + " unchanged users (core kept), beside a core restart / the SyncUsers",
                        unchangedStart, Row.format(coreStart.median(), "s") + " / " + Row.format(nodeSync.median(), "s"),
                        "s", 2)
                );
    }
}
