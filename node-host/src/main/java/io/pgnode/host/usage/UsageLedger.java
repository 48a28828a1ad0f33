package io.pgnode.host.usage;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic the node holds and the panel has not collected yet, per user (email), inbound and outbound (tag) and
 * direction: what backends drained out of their cores, and what a stats answer that never reached the panel
 * gave back. It belongs to the node, not to a backend, so it outlives every backend; {@link LedgerFile} keeps it
 * across the node's own restarts.
 *
 * <p>Every change to one counter is atomic, and {@link #take} removes exactly what it returns: a byte is either
 * in the ledger or in the answer that took it, so concurrent drains, polls and give-backs never lose or double
 * a byte.
 */
public final class UsageLedger implements UsageSink {

    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final int UPLINK = 0;
    private static final int DOWNLINK = 1;

    private final Map<TrafficOwner, ConcurrentHashMap<String, long[]>> counters = new EnumMap<>(TrafficOwner.class);
    private final AtomicLong version = new AtomicLong();

    public UsageLedger() {
        for (TrafficOwner owner : TrafficOwner.values()) {
            counters.put(owner, new ConcurrentHashMap<>());
        }
    }

    /** Adds traffic to a counter (a backend's drain, or traffic given back). */
    @Override
    public void add(TrafficOwner owner, String name, String direction, long bytes) {
        requireNonNull(owner, "owner is null");
        requireNonNull(name, "name is null");
        int index = index(direction);
        if (bytes <= 0 || index < 0) {
            return;
        }
        counters.get(owner).compute(name, (key, values) -> {
            long[] updated = values == null ? new long[2] : values;
            updated[index] += bytes;
            return updated;
        });
        version.incrementAndGet();
    }

    /** Removes a counter's bytes and answers them (0 when the ledger holds none). */
    public long take(TrafficOwner owner, String name, String direction) {
        int index = index(direction);
        if (index < 0) {
            return 0;
        }
        long[] taken = new long[1];
        counters.get(owner).computeIfPresent(name, (key, values) -> {
            taken[0] = values[index];
            values[index] = 0;
            return values[UPLINK] == 0 && values[DOWNLINK] == 0 ? null : values;
        });
        if (taken[0] != 0) {
            version.incrementAndGet();
        }
        return taken[0];
    }

    /** A counter's bytes, left in the ledger. */
    public long peek(TrafficOwner owner, String name, String direction) {
        int index = index(direction);
        return index < 0 ? 0 : read(owner, name)[index];
    }

    /** Whether the ledger holds traffic of this owner at all (the common case after a poll: none). */
    public boolean holds(TrafficOwner owner) {
        return !counters.get(owner).isEmpty();
    }

    /** Whether the ledger holds traffic of this user, inbound or outbound. */
    public boolean holds(TrafficOwner owner, String name) {
        return counters.get(owner).containsKey(name);
    }

    /**
     * Removes every counter of the owner and hands each non-zero direction to {@code sink} as a traffic stat
     * (what only the ledger holds, after an answer took the counters the core still had).
     */
    public void takeAll(TrafficOwner owner, Consumer<Stat> sink) {
        for (String name : counters.get(owner).keySet()) {
            for (String direction : DIRECTIONS) {
                long bytes = take(owner, name, direction);
                if (bytes != 0) {
                    sink.accept(new Stat(name, direction, Stat.TRAFFIC, bytes));
                }
            }
        }
    }

    /** A copy of the owner's counters, name → {uplink, downlink} (for an answer that does not reset). */
    public Map<String, long[]> copy(TrafficOwner owner) {
        Map<String, long[]> copy = new HashMap<>();
        counters.get(owner).forEach((name, values) -> copy.put(name, read(owner, name)));
        return copy;
    }

    /** Increments with every change; {@link LedgerFile} writes only when it moved. */
    public long version() {
        return version.get();
    }

    /** The index of a direction in a copy's array, or -1 for a direction the ledger does not keep. */
    public static int index(String direction) {
        if (Stat.UPLINK.equals(direction)) {
            return UPLINK;
        }
        if (Stat.DOWNLINK.equals(direction)) {
            return DOWNLINK;
        }
        log.warn("Traffic in direction \"{}\" is not kept: only {} and {} are", direction, Stat.UPLINK, Stat.DOWNLINK);
        return -1;
    }

    /** The directions, in index order. */
    public static final String[] DIRECTIONS = {Stat.UPLINK, Stat.DOWNLINK};

    /** Hands every non-zero counter to the visitor (a consistent copy of each counter, not of the whole). */
    void forEach(CounterVisitor visitor) {
        counters.forEach((owner, map) -> map.forEach((name, ignored) -> {
            long[] values = read(owner, name);
            if (values[UPLINK] != 0 || values[DOWNLINK] != 0) {
                visitor.visit(owner, name, values[UPLINK], values[DOWNLINK]);
            }
        }));
    }

    /** Receives one counter of the ledger. */
    @FunctionalInterface
    interface CounterVisitor {
        void visit(TrafficOwner owner, String name, long uplink, long downlink);
    }

    // a consistent read of one counter: under the map's lock for that key, as every change is
    private long[] read(TrafficOwner owner, String name) {
        long[] copy = new long[2];
        counters.get(owner).computeIfPresent(name, (key, values) -> {
            copy[UPLINK] = values[UPLINK];
            copy[DOWNLINK] = values[DOWNLINK];
            return values;
        });
        return copy;
    }
}
