package io.pgnode.bench;

import io.pgnode.plugin.xray.FakeXrayCore;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What P3 on the fake core measures: a node installed from the distribution whose core is {@link FakeXrayCore}
 * (the fake of Xray's API, started by the node exactly as it starts a real core) holding {@code users} users ×
 * 2 counters, and a direct client of that core's API.
 *
 * <p>Each JMH fork starts one of its own. A run without forks ({@code --smoke}) starts one for the JVM, and the
 * three paths share it ({@link #shared}): booting the node and the core is most of what a smoke run would
 * otherwise spend.
 */
final class FakeCoreNode implements AutoCloseable {

    static final StatRequest USERS_WITH_RESET =
            StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build();

    private static FakeCoreNode shared;

    private final InstalledNode node;
    private final DirectCoreApi core;

    private FakeCoreNode(InstalledNode node, DirectCoreApi core) {
        this.node = node;
        this.core = core;
    }

    /**
     * Installs and starts the node, starts the backend with the users and checks that the node and the core
     * both answer every counter.
     *
     * @param home the unpacked distribution
     * @param work a directory for this node and its core
     * @param environment more variables for the node's environment
     */
    static FakeCoreNode start(Path home, Path work, Map<String, String> environment, int users) throws Exception {
        Path directory = Files.createTempDirectory(InstalledNode.createDirectories(work), "users-stat-");
        Path fakeCore = FakeXrayCore.writeLauncher(directory.resolve("fake-xray"));
        Map<String, String> settings = new HashMap<>(environment);
        settings.put("XRAY_EXECUTABLE_PATH", fakeCore.toString());
        InstalledNode node = InstalledNode.start(Distribution.at(home), directory.resolve("node"), settings);
        try {
            node.grpc().withDeadlineAfter(10, TimeUnit.MINUTES).start(Backend.newBuilder().setType(BackendType.XRAY)
                    .setConfig(BenchConfig.panelConfig()).addAllUsers(BenchUsers.users(users, i -> 0)).build());
            DirectCoreApi core = new DirectCoreApi(FakeXrayCore.portIn(node.backendDirectory("xray")), DirectCoreApi.XRAY);
            int expected = 2 * users;
            check("the node", node.grpc().getStats(USERS_WITH_RESET).getStatsCount(), expected);
            check("the core", core.queryStats("user>>>", true).getStatCount(), expected);
            return new FakeCoreNode(node, core);
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    /** The one of this JVM, started on first use (a run without forks); {@link #closeShared()} stops it. */
    static synchronized FakeCoreNode shared(Path home, Path work, Map<String, String> environment, int users)
            throws Exception {
        if (shared == null) {
            shared = start(home, work, environment, users);
        }
        return shared;
    }

    static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private static void check(String who, int counters, int expected) {
        if (counters != expected) {
            throw new IllegalStateException(who + " answered " + counters + " user counters, not " + expected);
        }
    }

    InstalledNode node() {
        return node;
    }

    DirectCoreApi core() {
        return core;
    }

    @Override
    public void close() {
        core.close();
        try {
            node.grpc().withDeadlineAfter(1, TimeUnit.MINUTES).stop(Empty.getDefaultInstance());
        } finally {
            node.close(); // the node's process ends, by its pid, whatever Stop answered
        }
    }
}
