package io.pgnode.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times calls and prints what they took, for the figures a report quotes (no test asserts on them: this
 * machine is shared and noisy).
 */
public final class Latencies {

    private final String what;
    private final List<Long> nanos = new ArrayList<>();

    public Latencies(String what) {
        this.what = what;
    }

    /** Runs the call, keeps how long it took, returns its result. */
    public synchronized <T> T time(Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        nanos.add(System.nanoTime() - start);
        return result;
    }

    public synchronized int count() {
        return nanos.size();
    }

    /** Prints "what: n calls, median x ms, p99 y ms, max z ms" to stdout, and returns it. */
    public synchronized String report() {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        String line = sorted.isEmpty() ? what + ": no calls" : String.format(Locale.ROOT,
                "%s: %d calls, median %.1f ms, p99 %.1f ms, max %.1f ms", what, sorted.size(),
                millis(sorted.get(sorted.size() / 2)), millis(sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1)),
                millis(sorted.get(sorted.size() - 1)));
        System.out.println("[latency] " + line);
        return line;
    }

    private static double millis(long nanos) {
        return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
