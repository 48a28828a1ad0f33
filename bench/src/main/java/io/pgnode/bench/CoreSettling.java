package io.pgnode.bench;

/**
 * Waits for a core's own work after a Start to end, so that P4's sync through the node and its AlterInbound
 * calls straight to the core meet the same core. A v2fly core that just took 100,000 users keeps both CPUs of
 * this machine busy for some 4 s after its API answers, then has a burst of about 1 s every 12 s (measured
 * from /proc, once a second, 2026-12-04): a sync sent right after the Start ran into the first, calls sent
 * 15 s later did not.
 */
final class CoreSettling {

    /** Below this share of one CPU, over {@link #WINDOW_MILLIS}, the core is at rest. */
    static final double AT_REST = 0.10;

    private static final long WINDOW_MILLIS = 500;
    private static final int WINDOWS_AT_REST = 2;
    private static final long LIMIT_MILLIS = 60_000;

    private CoreSettling() {}

    /**
     * Returns once the core has used less than {@link #AT_REST} of one CPU over two windows of 500 ms in a row,
     * or after 60 s.
     *
     * @return how long it waited, in seconds
     */
    static double await(long corePid) {
        long began = System.nanoTime();
        int atRest = 0;
        double before = ProcessCpu.millis(corePid);
        while (atRest < WINDOWS_AT_REST && (System.nanoTime() - began) / 1_000_000 < LIMIT_MILLIS) {
            CoreAlone.pause(WINDOW_MILLIS);
            double now = ProcessCpu.millis(corePid);
            atRest = now - before < AT_REST * WINDOW_MILLIS ? atRest + 1 : 0;
            before = now;
        }
        return (System.nanoTime() - began) / 1e9;
    }
}
