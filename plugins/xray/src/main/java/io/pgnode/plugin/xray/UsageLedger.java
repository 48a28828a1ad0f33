package io.pgnode.plugin.xray;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * Traffic the node has already taken out of the core. The core's counters die with its process, so they
 * are drained (read with reset) into this ledger before every restart the plugin performs and every few
 * seconds; a stats answer is ledger + live, and a reset answer clears exactly what it returned from both.
 *
 * <p>Draining and reading exclude each other (a reset read or a drain is a writer; plain reads share), so
 * bytes never show up twice or vanish between the two halves of an answer.
 */
final class UsageLedger {

    private static final List<String> DIRECTIONS = List.of(CounterName.UPLINK, CounterName.DOWNLINK);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Counter name → bytes drained and not yet reset; guarded by {@link #lock}. */
    private final Map<String, Long> drained = new HashMap<>();
    private final Set<String> nodeInboundTags;

    /** @param nodeInboundTags the node's own inbounds (API, latency probes), whose counters are never reported */
    UsageLedger(Set<String> nodeInboundTags) {
        this.nodeInboundTags = Set.copyOf(nodeInboundTags);
    }

    /** Moves the core's traffic counters into the ledger (QueryStats with reset). */
    void drain(CoreApiClient api) {
        lock.writeLock().lock();
        try {
            CoreCounters counters = api.queryStats("", true);
            for (int i = 0; i < counters.size(); i++) {
                long value = counters.value(i);
                CounterName name = value == 0 ? null : counters.counterName(i);
                if (name != null && reported(name)) {
                    drained.merge(CounterName.of(name.kind(), name.name(), name.direction()), value, Long::sum);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Answers a stats query, handing each stat to {@code sink}: the ledger plus the core's live counters. A
     * single-target answer always holds both directions: a direction without counters (none yet, the core
     * creates them lazily) is zero.
     *
     * @param api the running core, or empty while it restarts (then the ledger alone answers)
     * @param targetKnown whether the node knows the single target of the query (a user it holds, a tag of
     *     the config), so that a target without counters yet is zero traffic rather than unknown
     * @throws BackendException {@code NOT_FOUND} when a single target is unknown and has no counters at all
     */
    void read(StatQuery query, Optional<CoreApiClient> api, boolean targetKnown, Consumer<Stat> sink) {
        String kind = kind(query.scope());
        Lock held = query.reset() ? lock.writeLock() : lock.readLock();
        held.lock();
        try {
            if (query.scope().isSingle()) {
                readOne(kind, query, api, targetKnown).forEach(sink);
            } else {
                readAll(kind, query, api, sink);
            }
        } finally {
            held.unlock();
        }
    }

    private List<Stat> readOne(String kind, StatQuery query, Optional<CoreApiClient> api, boolean targetKnown) {
        Map<String, Long> byDirection = new TreeMap<>();
        if (api.isPresent()) {
            CoreCounters live = api.get().queryStats(
                    kind + CounterName.SEPARATOR + query.name() + CounterName.SEPARATOR + CounterName.LINK, query.reset());
            for (int i = 0; i < live.size(); i++) {
                CounterName name = live.counterName(i);
                if (name != null && isTarget(name, kind, query.name())) {
                    byDirection.merge(name.direction(), live.value(i), Long::sum);
                }
            }
        }
        for (String direction : DIRECTIONS) {
            String counter = CounterName.of(kind, query.name(), direction);
            Long value = query.reset() ? drained.remove(counter) : drained.get(counter);
            if (value != null) {
                byDirection.merge(direction, value, Long::sum);
            }
        }
        if (byDirection.isEmpty() && !targetKnown) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "the node knows no " + kind + " \""
                    + query.name() + "\" and holds no traffic counters for it");
        }
        List<Stat> stats = new ArrayList<>(DIRECTIONS.size());
        DIRECTIONS.forEach(direction -> byDirection.putIfAbsent(direction, 0L));
        byDirection.forEach((direction, value) -> stats.add(new Stat(query.name(), direction, CounterName.LINK, value)));
        return stats;
    }

    /**
     * Every counter of a kind, in the core's order, each plus what the ledger holds of it; then what only the
     * ledger holds (counters of a core that was restarted since). One pass over the core's answer and, only
     * while the ledger holds something, a hash lookup per counter: with 100,000 users that is 200,000
     * counters every few seconds.
     */
    private void readAll(String kind, StatQuery query, Optional<CoreApiClient> api, Consumer<Stat> sink) {
        // what the ledger holds that the answer has not taken yet; a reset answer takes it out of the ledger
        Map<String, Long> pending = query.reset() ? drained : new HashMap<>(drained);
        if (api.isPresent()) {
            CoreCounters live = api.get().queryStats(kind + CounterName.SEPARATOR, query.reset());
            for (int i = 0; i < live.size(); i++) {
                CounterName name = live.counterName(i);
                // the core matches the pattern anywhere in a name: keep the counters of this kind only
                if (name == null || !name.kind().equals(kind) || !reported(name)) {
                    continue;
                }
                long value = live.value(i);
                if (!pending.isEmpty()) {
                    Long earlier = pending.remove(CounterName.of(kind, name.name(), name.direction()));
                    value += earlier == null ? 0 : earlier;
                }
                sink.accept(new Stat(name.name(), name.direction(), CounterName.LINK, value));
            }
        }
        String prefix = kind + CounterName.SEPARATOR;
        for (Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> entry = it.next();
            Optional<CounterName> name = entry.getKey().startsWith(prefix) ? CounterName.parse(entry.getKey())
                    : Optional.empty();
            if (name.isPresent() && name.get().kind().equals(kind)) {
                sink.accept(new Stat(name.get().name(), name.get().direction(), CounterName.LINK, entry.getValue()));
                if (query.reset()) {
                    it.remove();
                }
            }
        }
    }

    private boolean isTarget(CounterName name, String kind, String target) {
        return name.kind().equals(kind) && name.name().equals(target) && reported(name);
    }

    /** Whether the panel sees this counter: every traffic counter but those of the node's own inbounds. */
    private boolean reported(CounterName name) {
        return !(name.kind().equals("inbound") && nodeInboundTags.contains(name.name()));
    }

    private static String kind(StatQuery.Scope scope) {
        switch (scope) {
            case USERS:
            case USER:
                return "user";
            case INBOUNDS:
            case INBOUND:
                return "inbound";
            case OUTBOUNDS:
            case OUTBOUND:
                return "outbound";
            default:
                throw new IllegalArgumentException("unknown scope " + scope);
        }
    }
}
