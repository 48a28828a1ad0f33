package io.pgnode.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What to measure and at what size.
 *
 * @param tarball the distribution to install and run
 * @param workDirectory where nodes, cores and their data live during the run
 * @param core the v2fly core the end-to-end figures run
 * @param users the big user set (P2 to P5)
 * @param runs runs per figure; each figure reports the median of its runs
 * @param syncs one-user syncs per run of P1 (its run's value is their median)
 * @param syncBaseUsers users the node holds while P1 syncs one of them
 * @param figures which figures to measure (P1 ... P5)
 * @param jmhSeconds the length of each JMH iteration (P3 on the fake core)
 * @param environment more variables for the nodes' environment (JAVA_OPTS, a node setting ...); none by default:
 *     the nodes run as installed
 * @param smoke the least work that still measures every figure (the build's smoke test): one panel poll where a
 *     run makes a minute's worth, one warm-up, JMH without a fork or warm-up and with 200 ms iterations on one
 *     node for its three paths; the numbers then mean nothing
 */
record BenchOptions(Path tarball, Path workDirectory, Path core, int users, int runs, int syncs, int syncBaseUsers,
        Set<String> figures, int jmhSeconds, Map<String, String> environment, boolean smoke) {

    static final String USAGE = String.join("\n",
            "usage: bench/run.sh [--users N] [--runs N] [--syncs N] [--sync-base-users N] [--only P1,P2,...]",
            "                    [--jmh-seconds N] [--distribution TARBALL] [--work DIR] [--core PATH]",
            "                    [--env NAME=VALUE]... [--smoke]",
            "  --users N            the big user set of P2-P5 (default 100000)",
            "  --runs N             runs per figure, the median is reported (default 5)",
            "  --syncs N            one-user syncs per run of P1 (default 200)",
            "  --sync-base-users N  users the node holds during P1 (default 1000)",
            "  --only LIST          figures to measure (default P1,P2,P3,P4,P5,U1,U2,U3)",
            "  --jmh-seconds N      length of a JMH iteration of P3 on the fake core (default 3)",
            "  --distribution PATH  the tarball to run (default dist/target/pg-node-*.tar.gz)",
            "  --work DIR           working directory (default a new one under /tmp)",
            "  --core PATH          the v2fly core (default /usr/bin/v2ray)",
            "  --env NAME=VALUE     a variable for the nodes' environment, e.g. JAVA_OPTS=-Xmx512m (repeatable;",
            "                       default none: the nodes run as installed)",
            "  --smoke              the least work that measures every figure, to check that the benchmarks work:",
            "                       one panel poll per phase, one warm-up, JMH in this JVM without warm-up and with",
            "                       200 ms iterations on one node (its numbers mean nothing)");

    static BenchOptions parse(String[] args) throws java.io.IOException {
        Path tarball = null;
        Path work = null;
        Path core = Path.of("/usr/bin/v2ray");
        int users = 100_000;
        int runs = 5;
        int syncs = 200;
        int syncBaseUsers = 1_000;
        Set<String> figures = Set.of("P1", "P2", "P3", "P4", "P5", "U1", "U2", "U3");
        Map<String, String> environment = new LinkedHashMap<>();
        int jmhSeconds = 3;
        boolean smoke = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (option.equals("--smoke")) {
                smoke = true;
                continue;
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (option) {
                case "--users" -> users = positive(option, value);
                case "--runs" -> runs = positive(option, value);
                case "--syncs" -> syncs = positive(option, value);
                case "--sync-base-users" -> syncBaseUsers = positive(option, value);
                case "--only" -> figures = Set.of(value.toUpperCase(Locale.ROOT).split(","));
                case "--jmh-seconds" -> jmhSeconds = positive(option, value);
                case "--distribution" -> tarball = Path.of(value);
                case "--work" -> work = Path.of(value);
                case "--core" -> core = Path.of(value);
                case "--env" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw new IllegalArgumentException("--env takes NAME=VALUE, not " + value);
                    }
                    environment.put(value.substring(0, equals), value.substring(equals + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + option + "\n" + USAGE);
            }
        }
        if (tarball == null) {
            tarball = Distribution.findTarball(Path.of(""));
        }
        if (work == null) {
            work = java.nio.file.Files.createTempDirectory("pg-node-bench-");
        }
        return new BenchOptions(tarball, work.toAbsolutePath(), core, users, runs, syncs, syncBaseUsers, figures,
                jmhSeconds, Map.copyOf(environment), smoke);
    }

    private static int positive(String option, String value) {
        try {
            int number = Integer.parseInt(value.replace("_", ""));
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a positive number, not " + value);
    }

    /** The settings every benchmark node gets besides its ports and data directory. */
    Map<String, String> nodeSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("DEBUG", "true");
        settings.put("GENERATED_CONFIG_PATH", generatedConfigDirectory().toString());
        settings.put("XRAY_EXECUTABLE_PATH", core.toString());
        settings.putAll(environment);
        return settings;
    }

    /** The panel-like polls of P5 idle per run: a minute's worth (at 100 ms pauses), one in a smoke run. */
    int idlePolls() {
        return smoke ? 1 : 60;
    }

    /** The light polls (every 500 ms) between P4's sync and the memory figure after it. */
    int lightPolls() {
        return smoke ? 1 : 10;
    }

    /** The stats polls per run of P3 on the real core (after one that warms each path up). */
    int statsPolls() {
        return smoke ? 1 : 5;
    }

    /** Batches of {@link #syncs()} syncs along each path of P1 before it measures. */
    int syncWarmUps() {
        return smoke ? 1 : 3;
    }

    /** JMH warm-up iterations of P3 on the fake core. */
    int jmhWarmUps() {
        return smoke ? 0 : 2;
    }

    /** The length of a JMH iteration: {@code --jmh-seconds}, or 200 ms in a smoke run. */
    TimeValue jmhIteration() {
        return smoke ? TimeValue.milliseconds(200) : TimeValue.seconds(jmhSeconds);
    }

    boolean measures(String figure) {
        return figures.contains(figure);
    }

    /** Where the benchmark nodes write the config they render (DEBUG=true): the core-alone runs reuse it. */
    Path generatedConfigDirectory() {
        return workDirectory.resolve("generated");
    }

    Path generatedConfig() {
        return generatedConfigDirectory().resolve("xray_config.json");
    }
}
