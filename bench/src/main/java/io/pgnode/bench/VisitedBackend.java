package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Xray backend of a node started with {@code users} users, each of whom made one real VLESS visit, so the core
 * holds 2 counters per user; with what watches it from the outside: the visitor and a direct client of the core's
 * API. Closing it stops the backend (the node's Stop, which drains the core into the ledger).
 */
final class VisitedBackend implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);

    final BenchConfig config = BenchConfig.onFreePorts();
    final VlessVisits visits;
    final DirectCoreApi core;
    final long corePid;
    private final InstalledNode node;

    private VisitedBackend(InstalledNode node, BenchOptions options, int users) throws InterruptedException {
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

    /** Starts the backend on {@code node} and has every user visit; the backend is stopped again if that fails. */
    static VisitedBackend start(InstalledNode node, BenchOptions options, int users) throws InterruptedException {
        try {
            return new VisitedBackend(node, options, users);
        } catch (RuntimeException | InterruptedException e) {
            node.grpc().stop(Empty.getDefaultInstance());
            throw e;
        }
    }

    /** {@link BackgroundDrains#watch} of the counter of user {@code index}. */
    BackgroundDrains.Watch watchDrains(int index, int gaps, Duration limit) {
        return BackgroundDrains.watch(core, visits, config.vlessPort(), index, corePid, gaps, limit);
    }

    @Override
    public void close() {
        try {
            core.close();
            visits.close();
        } finally {
            node.grpc().stop(Empty.getDefaultInstance());
        }
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }
}
