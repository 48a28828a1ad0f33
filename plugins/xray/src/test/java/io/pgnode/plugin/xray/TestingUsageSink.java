package io.pgnode.plugin.xray;

import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's usage ledger as a backend sees it ({@link io.pgnode.spi.BackendContext#usage()}), for tests: adds up
 * what the backend hands over, per counter, as the node would, and lets the test read it.
 */
final class TestingUsageSink implements UsageSink {

    private final Map<String, Long> bytes = new ConcurrentHashMap<>();

    @Override
    public void add(TrafficOwner owner, String name, String direction, long amount) {
        if (amount > 0) {
            bytes.merge(key(owner, name, direction), amount, Long::sum);
        }
    }

    /** What was handed over for one counter so far. */
    long get(TrafficOwner owner, String name, String direction) {
        return bytes.getOrDefault(key(owner, name, direction), 0L);
    }

    /** Everything handed over, as {@code OWNER name direction} → bytes, sorted. */
    Map<String, Long> all() {
        return new TreeMap<>(bytes);
    }

    private static String key(TrafficOwner owner, String name, String direction) {
        return owner + " " + name + " " + direction;
    }
}
