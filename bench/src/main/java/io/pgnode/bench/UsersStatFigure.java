package io.pgnode.bench;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** P3 through JMH: {@link UsersStatBenchmark}, one fork per path, the median of its measurement iterations. */
final class UsersStatFigure {

    private final Distribution distribution;
    private final BenchOptions options;

    UsersStatFigure(Distribution distribution, BenchOptions options) {
        this.distribution = distribution;
        this.options = options;
    }

    List<Row> run() throws RunnerException {
        String home = distribution.home().toString();
        String work = InstalledNode.createDirectories(options.workDirectory().resolve("jmh")).toString();
        String environment = UsersStatBenchmark.encode(options.environment());
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(UsersStatBenchmark.class.getName())
                .param("users", String.valueOf(options.users()))
                .warmupIterations(options.jmhWarmUps())
                .warmupTime(options.jmhIteration())
                .measurementIterations(options.runs())
                .measurementTime(options.jmhIteration());
        if (options.smoke()) {
            // no fork: the three paths share one node and core in this JVM (FakeCoreNode.shared)
            jmh.forks(0);
            System.setProperty(UsersStatBenchmark.HOME, home);
            System.setProperty(UsersStatBenchmark.WORK, work);
            System.setProperty(UsersStatBenchmark.ENVIRONMENT, environment);
            System.setProperty(UsersStatBenchmark.SHARED, "true");
        } else {
            jmh.forks(1).jvmArgsAppend("-D" + UsersStatBenchmark.HOME + "=" + home,
                    "-D" + UsersStatBenchmark.WORK + "=" + work, "-D" + UsersStatBenchmark.ENVIRONMENT + "=" + environment);
        }
        Collection<RunResult> results;
        try {
            results = new Runner(jmh.build()).run();
        } finally {
            if (options.smoke()) {
                FakeCoreNode.closeShared();
                System.clearProperty(UsersStatBenchmark.SHARED);
            }
        }
        Map<String, Samples> byPath = new TreeMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            Samples samples = byPath.computeIfAbsent(label.substring(label.lastIndexOf('.') + 1), k -> new Samples());
            for (BenchmarkResult fork : result.getBenchmarkResults()) {
                for (IterationResult iteration : fork.getIterationResults()) {
                    samples.add(iteration.getPrimaryResult().getScore());
                }
            }
        }
        Samples direct = measured(byPath, "coreDirect");
        return List.of(
                Row.ratio("P3 GetStats(UsersStat), " + options.users() + " users × 2, gRPC (fake Xray API)",
                        measured(byPath, "nodeGrpc"), direct, "ms", 1.2),
                Row.ratio("P3 GetStats(UsersStat), " + options.users() + " users × 2, REST (fake Xray API)",
                        measured(byPath, "nodeRest"), direct, "ms", 1.2));
    }

    /** A path's samples; JMH reports a fork that failed (its setup threw) only in its output, so say so here. */
    private static Samples measured(Map<String, Samples> byPath, String path) {
        Samples samples = byPath.get(path);
        if (samples == null) {
            throw new IllegalStateException("JMH measured nothing for " + UsersStatBenchmark.class.getSimpleName()
                    + "." + path + ": its fork failed; its output above says why");
        }
        return samples;
    }
}
