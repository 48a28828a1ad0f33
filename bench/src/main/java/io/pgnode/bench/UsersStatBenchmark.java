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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * P3: GetStats(UsersStat, reset) through the node (gRPC and REST, TLS) when the core holds {@code users} users ×
 * 2 counters, against QueryStats("user>>>", reset) straight to the core's API. The core is {@link FakeXrayCore},
 * the fake of Xray's API (the real v2fly core creates a user's counters only on the user's first connection),
 * started by the node from the installed distribution exactly as it starts a real core.
 *
 * <p>System properties (set by {@link UsersStatFigure}): {@code pgnode.bench.home} (the unpacked distribution),
 * {@code pgnode.bench.work} (a directory for this fork).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class UsersStatBenchmark {

    private static final StatRequest USERS_WITH_RESET =
            StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build();

    /** Between two NAME=VALUE entries: a character no setting holds (a NUL cannot be part of a JVM argument). */
    private static final String SEPARATOR = "\u001f";

    @Param("100000")
    public int users;

    private InstalledNode node;
    private DirectCoreApi core;

    @Setup
    public void start() throws Exception {
        Path work = Files.createTempDirectory(Path.of(System.getProperty("pgnode.bench.work")), "users-stat-");
        Path fakeCore = FakeXrayCore.writeLauncher(work.resolve("fake-xray"));
        Map<String, String> settings = new HashMap<>(decode(System.getProperty("pgnode.bench.environment", "")));
        settings.put("XRAY_EXECUTABLE_PATH", fakeCore.toString());
        node = InstalledNode.start(Distribution.at(Path.of(System.getProperty("pgnode.bench.home"))), work.resolve("node"),
                settings);
        try {
            node.grpc().withDeadlineAfter(10, TimeUnit.MINUTES).start(Backend.newBuilder().setType(BackendType.XRAY)
                    .setConfig(BenchConfig.panelConfig()).addAllUsers(BenchUsers.users(users, i -> 0)).build());
            core = new DirectCoreApi(FakeXrayCore.portIn(node.backendDirectory("xray")), DirectCoreApi.XRAY);
            int expected = 2 * users;
            check("the node", node.grpc().getStats(USERS_WITH_RESET).getStatsCount(), expected);
            check("the core", core.queryStats("user>>>", true).getStatCount(), expected);
        } catch (RuntimeException | Error e) {
            // JMH runs no @TearDown after a failed @Setup, and the fork's exit would leave the node running
            stop();
            throw e;
        }
    }

    private static void check(String who, int counters, int expected) {
        if (counters != expected) {
            throw new IllegalStateException(who + " answered " + counters + " user counters, not " + expected);
        }
    }

    /** The nodes' extra environment as one system property of the fork: NAME=VALUE entries, separated by U+001F. */
    static String encode(Map<String, String> environment) {
        StringBuilder text = new StringBuilder();
        environment.forEach((name, value) -> text.append(text.length() == 0 ? "" : SEPARATOR).append(name).append('=')
                .append(value));
        return text.toString();
    }

    static Map<String, String> decode(String text) {
        Map<String, String> environment = new HashMap<>();
        for (String entry : text.split(SEPARATOR)) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                environment.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }

    @Benchmark
    public int nodeGrpc() {
        return node.grpc().withDeadlineAfter(2, TimeUnit.MINUTES).getStats(USERS_WITH_RESET).getStatsCount();
    }

    @Benchmark
    public int nodeRest() {
        return node.rest().stats(USERS_WITH_RESET).getStatsCount();
    }

    @Benchmark
    public int coreDirect() {
        return core.queryStats("user>>>", true).getStatCount();
    }

    @TearDown
    public void stop() {
        if (core != null) {
            core.close();
        }
        if (node != null) {
            try {
                node.grpc().withDeadlineAfter(1, TimeUnit.MINUTES).stop(Empty.getDefaultInstance());
            } finally {
                node.close(); // the node's process ends, by its pid, whatever Stop answered
            }
        }
    }
}
