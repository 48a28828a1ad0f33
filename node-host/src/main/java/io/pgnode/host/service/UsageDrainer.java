package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.TrafficOwner;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Decides when the running backend's counters are moved into the node's ledger in the background. A poll with
 * reset of a whole scope (the panel's users poll every 10 s, outbounds every 30 s) collects those counters
 * itself, so an owner is drained only when nothing collected it for an interval: what a crash of the node can
 * lose is at most that interval's traffic.
 *
 * <p>The interval: fixed when USAGE_DRAIN_INTERVAL is set; otherwise {@value #MINIMUM_SECONDS} s, or 50 times
 * what the last drain of the users' counters took when that is longer, so that draining costs the core at most
 * about 2% of one CPU (a drain's time is mostly the core's QueryStats work; 100,000 users take a few hundred ms).
 * An interval counts from when the last collection began (the counters are read then), and the node checks once
 * a second: with the minimum, two drains are at most about {@value #MINIMUM_SECONDS} + 1 s apart, the most a crash
 * can lose while a drain takes well under a second (up to 10,000 users).
 */
final class UsageDrainer {

    static final long MINIMUM_SECONDS = 4;
    private static final long COST_FACTOR = 50;

    private final Optional<Duration> fixedInterval;
    private final LongSupplier nanoClock;
    private final Map<TrafficOwner, Long> lastCollected = new EnumMap<>(TrafficOwner.class);
    private volatile long userDrainNanos;

    /** @param fixedInterval the interval to keep; empty: adapt it to the drains' cost */
    UsageDrainer(Optional<Duration> fixedInterval, LongSupplier nanoClock) {
        this.fixedInterval = requireNonNull(fixedInterval, "fixedInterval is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        restart();
    }

    /** A new backend: nothing of it has been collected yet, and the clock starts now. */
    synchronized void restart() {
        long now = nanoClock.getAsLong();
        for (TrafficOwner owner : TrafficOwner.values()) {
            lastCollected.put(owner, now);
        }
    }

    /** A poll with reset of every counter of this owner answered: they are collected. */
    synchronized void collected(TrafficOwner owner) {
        lastCollected.put(owner, nanoClock.getAsLong());
    }

    private synchronized void collected(Set<TrafficOwner> owners, long began) {
        for (TrafficOwner owner : owners) {
            // a poll that answered during the drain collected them later than the drain began
            lastCollected.merge(owner, began, Math::max);
        }
    }

    /**
     * Drains the owners that are due, through {@code drain} (which answers how long the drain took, in
     * nanoseconds), and notes them collected.
     */
    void drainDue(ToLongFunction<Set<TrafficOwner>> drain) {
        Set<TrafficOwner> due = EnumSet.noneOf(TrafficOwner.class);
        long now;
        synchronized (this) {
            now = nanoClock.getAsLong();
            for (TrafficOwner owner : TrafficOwner.values()) {
                if (now - lastCollected.get(owner) >= interval(owner).toNanos()) {
                    due.add(owner);
                }
            }
        }
        if (due.isEmpty()) {
            return;
        }
        long took = drain.applyAsLong(due);
        if (due.contains(TrafficOwner.USER)) {
            userDrainNanos = took;
        }
        collected(due, now);
    }

    /** The time between two background drains of this owner's counters. */
    Duration interval(TrafficOwner owner) {
        if (fixedInterval.isPresent()) {
            return fixedInterval.get();
        }
        Duration minimum = Duration.ofSeconds(MINIMUM_SECONDS);
        if (owner != TrafficOwner.USER) {
            return minimum;
        }
        Duration byCost = Duration.ofNanos(userDrainNanos * COST_FACTOR);
        return byCost.compareTo(minimum) > 0 ? byCost : minimum;
    }
}
