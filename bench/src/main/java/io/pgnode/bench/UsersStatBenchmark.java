package io.pgnode.bench;

import io.pgnode.plugin.xray.FakeXrayCore;
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
 * started by the node from the installed distribution exactly as it starts a real core ({@link FakeCoreNode}).
 *
 * <p>System properties (set by {@link UsersStatFigure}): {@code pgnode.bench.home} (the unpacked distribution),
 * {@code pgnode.bench.work} (a directory for this fork), {@code pgnode.bench.environment} (the nodes' extra
 * environment), {@code pgnode.bench.shared} (true: no forks, the three paths share one node).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class UsersStatBenchmark {

    static final String HOME = "pgnode.bench.home";
    static final String WORK = "pgnode.bench.work";
    static final String ENVIRONMENT = "pgnode.bench.environment";
    static final String SHARED = "pgnode.bench.shared";

    /** Between two NAME=VALUE entries: a character no setting holds (a NUL cannot be part of a JVM argument). */
    private static final String SEPARATOR = "\u001f";

    @Param("100000")
    public int users;

    private FakeCoreNode fixture;

    @Setup
    public void start() throws Exception {
        Path home = Path.of(System.getProperty(HOME));
        Path work = Path.of(System.getProperty(WORK));
        Map<String, String> environment = decode(System.getProperty(ENVIRONMENT, ""));
        fixture = Boolean.getBoolean(SHARED) ? FakeCoreNode.shared(home, work, environment, users)
                : FakeCoreNode.start(home, work, environment, users);
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
        return fixture.node().grpc().withDeadlineAfter(2, TimeUnit.MINUTES).getStats(FakeCoreNode.USERS_WITH_RESET)
                .getStatsCount();
    }

    @Benchmark
    public int nodeRest() {
        return fixture.node().rest().stats(FakeCoreNode.USERS_WITH_RESET).getStatsCount();
    }

    @Benchmark
    public int coreDirect() {
        return fixture.core().queryStats("user>>>", true).getStatCount();
    }

    @TearDown
    public void stop() {
        if (fixture != null && !Boolean.getBoolean(SHARED)) {
            fixture.close();
        }
    }
}
