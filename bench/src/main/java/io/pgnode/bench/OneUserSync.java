package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * P1: one user whose credentials change in all three inbounds (a removal and an add in each: six AlterInbound
 * calls), synced through the node over REST and over gRPC, against the same six calls made straight to the
 * core by {@link DirectCoreApi}: one after the other, as a minimal client makes them, and also three at a time
 * as the node issues them (the stricter comparison: it leaves the node no concurrency to gain). The node syncs
 * its own user, the direct client another one, so neither disturbs the other. The round trip of GET /info is
 * shown beside them: what the transport alone costs.
 */
final class OneUserSync {

    private static final String NODE_USER = "sync@bench";
    private static final String DIRECT_USER = "direct@bench";
    private static final int NODE_INDEX = 1_000_001;
    private static final int DIRECT_INDEX = 1_000_002;

    private final InstalledNode node;
    private final BenchOptions options;
    private int generation;

    OneUserSync(InstalledNode node, BenchOptions options) {
        this.node = node;
        this.options = options;
    }

    List<Row> run() {
        List<User> users = new ArrayList<>(BenchUsers.users(options.syncBaseUsers(), i -> 0));
        users.add(BenchUsers.user(NODE_USER, NODE_INDEX, 0));
        node.grpc().start(Backend.newBuilder().setType(BackendType.XRAY).setConfig(BenchConfig.panelConfig())
                .addAllUsers(users).build());
        Path config = options.generatedConfig();
        try (DirectCoreApi core = new DirectCoreApi(CoreAlone.apiPort(config), DirectCoreApi.V2FLY)) {
            for (String tag : BenchConfig.TAGS) {
                core.addUser(tag, DIRECT_USER, core.account(tag, DIRECT_INDEX, 0)).join();
            }
            List<Runnable> paths = List.of(this::syncOverRest, this::syncOverGrpc, () -> syncOneByOne(core),
                    () -> syncAsTheNodeDoes(core), () -> node.rest().info());
            List<Samples> samples = List.of(new Samples(), new Samples(), new Samples(), new Samples(), new Samples());
            for (int warmUp = 0; warmUp < options.syncWarmUps(); warmUp++) {
                interleaved(paths); // JIT of the node and of this client, not counted
            }
            for (int run = 0; run < options.runs(); run++) {
                List<Double> medians = interleaved(paths);
                for (int p = 0; p < paths.size(); p++) {
                    samples.get(p).add(medians.get(p));
                }
            }
            Samples rest = samples.get(0);
            Samples grpc = samples.get(1);
            Samples oneByOne = samples.get(2);
            Samples concurrent = samples.get(3);
            return List.of(
                    Row.ratio("P1 one-user sync, REST", rest, oneByOne, "ms", 1.2),
                    Row.ratio("P1 one-user sync, gRPC", grpc, oneByOne, "ms", 1.2),
                    Row.ratio("P1 one-user sync, REST, vs the calls 3 at a time", rest, concurrent, "ms", 1.2),
                    Row.ratio("P1 one-user sync, gRPC, vs the calls 3 at a time", grpc, concurrent, "ms", 1.2),
                    Row.info("P1 REST round trip of GET /info (the transport alone)", samples.get(4), concurrent, "ms"));
        } finally {
            node.grpc().stop(io.pgnode.proto.Empty.getDefaultInstance());
        }
    }

    /**
     * {@code options.syncs()} syncs along each path, taking turns (one along each path, then again), so that
     * whatever else the machine does weighs on every path alike; returns the median time of one sync per path,
     * in ms.
     */
    private List<Double> interleaved(List<Runnable> paths) {
        List<List<Double>> millis = new ArrayList<>();
        paths.forEach(path -> millis.add(new ArrayList<>(options.syncs())));
        for (int i = 0; i < options.syncs(); i++) {
            for (int p = 0; p < paths.size(); p++) {
                long began = System.nanoTime();
                paths.get(p).run();
                millis.get(p).add((System.nanoTime() - began) / 1e6);
            }
        }
        return millis.stream().map(Samples::medianOf).toList();
    }

    private void syncOverRest() {
        node.rest().syncUser(BenchUsers.user(NODE_USER, NODE_INDEX, ++generation));
    }

    private void syncOverGrpc() {
        node.syncUserOverGrpc(BenchUsers.user(NODE_USER, NODE_INDEX, ++generation));
    }

    /** The minimal client: each call waits for the one before (remove, add; inbound after inbound). */
    private void syncOneByOne(DirectCoreApi core) {
        int next = ++generation;
        for (String tag : BenchConfig.TAGS) {
            core.removeUser(tag, DIRECT_USER).join();
            core.addUser(tag, DIRECT_USER, core.account(tag, DIRECT_INDEX, next)).join();
        }
    }

    /** The calls as the node issues them: the three inbounds at once, remove before add in each. */
    private void syncAsTheNodeDoes(DirectCoreApi core) {
        int next = ++generation;
        List<CompletableFuture<Void>> inbounds = new ArrayList<>();
        for (String tag : BenchConfig.TAGS) {
            inbounds.add(core.removeUser(tag, DIRECT_USER)
                    .thenCompose(removed -> core.addUser(tag, DIRECT_USER, core.account(tag, DIRECT_INDEX, next))));
        }
        CompletableFuture.allOf(inbounds.toArray(CompletableFuture[]::new)).join();
    }
}
