package io.pgnode.bench;

import java.util.Map;

/**
 * Runs the figures of the scale issue and prints the table: the node (installed from the tarball and run as an
 * operator runs it) against the core it drives, side by side in one run. See the README's "Benchmarks".
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = run(options);
        report.print(System.out);
        System.exit(report.allPass() ? 0 : 1);
    }

    static Report run(BenchOptions options) throws Exception {
        System.out.println("pg-node benchmarks: " + options.users() + " users, " + options.runs() + " runs per figure, "
                + Runtime.getRuntime().availableProcessors() + " cores, work directory " + options.workDirectory());
        Distribution distribution = Distribution.unpack(options.tarball(), options.workDirectory().resolve("install"));
        Report report = new Report();
        Map<String, String> settings = options.nodeSettings();
        if (options.measures("P5")) {
            try (InstalledNode node = InstalledNode.start(distribution, options.workDirectory().resolve("idle"), settings)) {
                report.addAll(new IdleMemory(node, options).run());
            }
        }
        if (options.measures("P1")) {
            try (InstalledNode node = InstalledNode.start(distribution, options.workDirectory().resolve("p1"), settings)) {
                report.addAll(new OneUserSync(node, options).run());
            }
        }
        if (options.measures("U2")) {
            try (InstalledNode node = InstalledNode.start(distribution, options.workDirectory().resolve("drains"), settings)) {
                report.addAll(new UsageDrains(node, options).run());
            }
        }
        if (options.measures("P3")) {
            report.addAll(new UsersStatFigure(distribution, options).run());
        }
        if (options.measures("U3")) {
            report.addAll(new DrainCost(distribution, options).run());
        }
        if (options.measures("P2") || options.measures("P3") || options.measures("P4") || options.measures("P5")
                || options.measures("U1")) {
            try (InstalledNode node = InstalledNode.start(distribution, options.workDirectory().resolve("many"), settings)) {
                ManyUsers many = new ManyUsers(node, options);
                many.run();
                report.addAll(many.rows());
            }
        }
        report.note("P1: the median sync of " + options.syncs() + " per run (after " + options.syncWarmUps() * options.syncs()
                + " to warm up), the node holding " + options.syncBaseUsers() + " users; core-direct: the same six"
                + " AlterInbound calls from a minimal client, one after the other, and 3 at a time as the node makes them.");
        report.note("P2, P4: gRPC; core-direct: v2ray started with the config the node rendered (its DEBUG copy) on"
                + " stdin until its API answers, the time a core restart takes; the node's Start includes writing that copy."
                + " P4's sync and its AlterInbound calls straight to the core each begin once the core is at rest (below "
                + Math.round(CoreSettling.AT_REST * 100) + " % of a CPU for 1 s): a core that just took 100,000 users"
                + " keeps both CPUs busy for seconds.");
        report.note("P3 (fake): JMH, the core is the fake of Xray's API (TestingXrayApi in a process of its own) seeded"
                + " with 2 counters per user. P3 (real core): every user made one VLESS connection first, so the"
                + " v2fly core holds 2 counters per user; the median of " + options.statsPolls() + " polls per run. Both with reset."
                + " CPU per poll: utime+stime (/proc/<pid>/stat) of the node's and of the core's process over the"
                + " node's measured polls.");
        report.note("U1: right after P4's sync, a Start with the same config and the synced users (gRPC); the core"
                + " must keep its pid. U2, U3: the default drain interval, no poll meanwhile; a drain is the moment the"
                + " core's counter of one user who just made a VLESS visit falls back to 0; U3: the core's CPU"
                + " (/proc) over three drains, less that of an idle core with as many users over as long (a node with"
                + " USAGE_DRAIN_INTERVAL=3600).");
        report.note("P5: VmRSS of the node's JVM process (/proc/<pid>/status), the core excluded; idle: the Xray backend"
                + " started with no users during a minute of panel-like polls.");
        return report;
    }
}
