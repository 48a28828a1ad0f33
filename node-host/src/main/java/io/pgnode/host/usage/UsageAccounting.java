package io.pgnode.host.usage;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorKind;
import io.pgnode.host.error.NodeException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of every traffic answer: what the backend's core counts now plus what the ledger holds, with
 * a reset taking exactly what it answers out of both; drains that move a backend's counters into the ledger;
 * and the give-back of an answer that never reached the panel. Keeps {@link LedgerFile} up to date.
 *
 * <p>Why no byte is counted twice: a reset answer takes each counter out of the core (the core's own reset) and
 * out of the ledger ({@link UsageLedger#take}), and a drain moves a counter from the core into the ledger, so
 * every byte sits in one place at a time. An answer without reset reads the ledger before the core, and the node's
 * drains ({@link #drain}: in the background and before a stop) wait for the answers in flight and hold new ones
 * back, so such an answer misses nothing. A drain a backend makes on its own (before it restarts its core) can make
 * one answer without reset miss those bytes, never show them twice.
 */
public final class UsageAccounting {

    private static final Logger log = LoggerFactory.getLogger(UsageAccounting.class);

    /** Every owner: what a full drain covers. */
    public static final Set<TrafficOwner> ALL = EnumSet.allOf(TrafficOwner.class);

    private final UsageLedger ledger;
    private final LedgerFile file;

    /** Drains (write) against answers (read): an answer never sees bytes on their way from core to ledger. */
    private final ReentrantReadWriteLock drains = new ReentrantReadWriteLock();

    public UsageAccounting(UsageLedger ledger, LedgerFile file) {
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.file = requireNonNull(file, "file is null");
    }

    /** What the running backend's core counts now: a backend's {@code stats(query, sink)}. */
    @FunctionalInterface
    public interface LiveCounters {
        void stats(StatQuery query, Consumer<Stat> sink);
    }

    /** Where backends hand over what they drain. */
    public UsageLedger ledger() {
        return ledger;
    }

    /**
     * Answers a stats query: the backend's live counters, each plus the ledger's, then what only the ledger holds.
     * With reset, the ledger's part is taken out of it and the ledger is on disk before this returns (so that a
     * crash after the answer went out cannot report it again).
     */
    public void answer(LiveCounters backend, StatQuery query, Consumer<Stat> sink) {
        drains.readLock().lock(); // answers run side by side; a drain in flight finishes first (see drain)
        try {
            answerCounted(backend, query, sink);
        } finally {
            drains.readLock().unlock();
        }
        if (query.reset()) {
            save();
        }
    }

    private void answerCounted(LiveCounters backend, StatQuery query, Consumer<Stat> sink) {
        TrafficOwner owner = query.scope().owner();
        if (query.scope().isSingle()) {
            answerOne(backend, query, owner).forEach(sink);
        } else if (query.reset()) {
            boolean merge = ledger.holds(owner);
            backend.stats(query, merge ? stat -> sink.accept(plus(stat, ledger.take(owner, stat.name(), stat.type())))
                    : sink);
            ledger.takeAll(owner, sink);
        } else {
            Map<String, long[]> held = ledger.holds(owner) ? ledger.copy(owner) : Map.of();
            backend.stats(query, held.isEmpty() ? sink : stat -> sink.accept(plus(stat, takeFrom(held, stat))));
            held.forEach((name, values) -> {
                for (int i = 0; i < values.length; i++) {
                    if (values[i] != 0) {
                        sink.accept(new Stat(name, UsageLedger.DIRECTIONS[i], Stat.TRAFFIC, values[i]));
                    }
                }
            });
        }
    }

    private List<Stat> answerOne(LiveCounters backend, StatQuery query, TrafficOwner owner) {
        String name = query.name();
        long[] held = new long[2];
        if (!query.reset()) {
            held[0] = ledger.peek(owner, name, Stat.UPLINK);
            held[1] = ledger.peek(owner, name, Stat.DOWNLINK);
        }
        List<Stat> live = new ArrayList<>(2);
        try {
            backend.stats(query, live::add);
        } catch (NodeException e) {
            // a target the backend does not know (a removed user, another config's outbound) may still have traffic here
            if (e.kind() != ErrorKind.NOT_FOUND || !ledger.holds(owner, name)) {
                throw e;
            }
        }
        if (query.reset()) {
            held[0] = ledger.take(owner, name, Stat.UPLINK);
            held[1] = ledger.take(owner, name, Stat.DOWNLINK);
        }
        List<Stat> answer = new ArrayList<>(2);
        for (int i = 1; i >= 0; i--) { // downlink first, as the cores' own answers sort
            String direction = UsageLedger.DIRECTIONS[i];
            long value = held[i];
            for (Stat stat : live) {
                if (stat.type().equals(direction)) {
                    value += stat.value();
                }
            }
            answer.add(new Stat(name, direction, Stat.TRAFFIC, value));
        }
        return answer;
    }

    private static Stat plus(Stat stat, long bytes) {
        return bytes == 0 ? stat : new Stat(stat.name(), stat.type(), stat.link(), stat.value() + bytes);
    }

    private static long takeFrom(Map<String, long[]> held, Stat stat) {
        long[] values = held.get(stat.name());
        int index = UsageLedger.index(stat.type());
        if (values == null || index < 0) {
            return 0;
        }
        long bytes = values[index];
        values[index] = 0;
        return bytes;
    }

    /**
     * Puts back what a reset answer took, because the answer did not reach the panel (the client went away, the
     * call was cancelled or ran past its deadline, the write failed): the next poll reports it.
     */
    public void giveBack(StatQuery query, Iterable<Stat> answered) {
        if (!query.reset()) {
            return;
        }
        TrafficOwner owner = query.scope().owner();
        long bytes = 0;
        int stats = 0;
        for (Stat stat : answered) {
            ledger.add(owner, stat.name(), stat.type(), stat.value());
            bytes += stat.value();
            stats++;
        }
        if (stats > 0) {
            log.info("A {} answer with reset did not reach the panel; its {} stats ({} bytes) go to the next poll",
                    query.scope(), stats, bytes);
            save();
        }
    }

    /** Moves a backend's counters into the ledger ({@code drain} is its drainUsage), and the ledger to disk. */
    public void drain(Consumer<Set<TrafficOwner>> drain, Set<TrafficOwner> owners) {
        // a drain empties the core's counters before it fills the ledger's: an answer in between would find the
        // bytes in neither, so answers wait for it (at most the backend's drain deadline)
        drains.writeLock().lock();
        try {
            drain.accept(owners);
        } finally {
            drains.writeLock().unlock();
        }
        save();
    }

    /** Writes the ledger if it changed (a backend may drain on its own, e.g. before it restarts its core). */
    public void save() {
        try {
            file.save(ledger);
        } catch (IOException e) {
            log.error("Could not write the usage ledger {}: {}; a crash now would lose the traffic it holds", file.path(),
                    e.toString());
        }
    }
}
