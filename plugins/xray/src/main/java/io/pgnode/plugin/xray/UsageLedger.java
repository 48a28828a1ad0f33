package io.pgnode.plugin.xray;

import io.pgnode.plugin.xray.api.CoreStat;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Traffic the node has already taken out of the core. The core's counters die with its process, so they
 * are drained (read with reset) into this ledger before every restart the plugin performs and every few
 * seconds; a stats answer is ledger + live, and a reset answer clears exactly what it returned from both.
 *
 * <p>Draining and reading exclude each other (a reset read or a drain is a writer; plain reads share), so
 * bytes never show up twice or vanish between the two halves of an answer.
 */
final class UsageLedger {

    private static final List<String> DIRECTIONS = List.of("uplink", "downlink");

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Counter name → bytes drained and not yet reset; guarded by {@link #lock}. */
    private final Map<String, Long> drained = new HashMap<>();
    private final String apiInboundTag;

    /** @param apiInboundTag the node's own API inbound, whose counters are never reported */
    UsageLedger(String apiInboundTag) {
        this.apiInboundTag = apiInboundTag;
    }

    /** Moves every counter of the core into the ledger (QueryStats with reset). */
    void drain(CoreApiClient api) {
        lock.writeLock().lock();
        try {
            for (CoreStat stat : api.queryStats("", true)) {
                if (stat.getValue() != 0) {
                    drained.merge(stat.getName(), stat.getValue(), Long::sum);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Answers a stats query: the ledger plus the core's live counters. A single-target answer always holds
     * both directions: a direction without counters (none yet, the core creates them lazily) is zero.
     *
     * @param api the running core, or empty while it restarts (then the ledger alone answers)
     * @param targetKnown whether the node knows the single target of the query (a user it holds, a tag of
     *     the config), so that a target without counters yet is zero traffic rather than unknown
     * @throws BackendException {@code NOT_FOUND} when a single target is unknown and has no counters at all
     */
    List<Stat> read(StatQuery query, Optional<CoreApiClient> api, boolean targetKnown) {
        String kind = kind(query.scope());
        Lock held = query.reset() ? lock.writeLock() : lock.readLock();
        held.lock();
        try {
            Map<String, Long> totals = new TreeMap<>();
            if (api.isPresent()) {
                String pattern = query.scope().isSingle()
                        ? kind + CounterName.SEPARATOR + query.name() + CounterName.SEPARATOR + CounterName.LINK
                        : kind + CounterName.SEPARATOR;
                for (CoreStat stat : api.get().queryStats(pattern, query.reset())) {
                    if (wanted(stat.getName(), kind, query)) {
                        totals.merge(stat.getName(), stat.getValue(), Long::sum);
                    }
                }
            }
            if (query.scope().isSingle()) {
                for (String direction : DIRECTIONS) {
                    String name = CounterName.of(kind, query.name(), direction);
                    if (!wanted(name, kind, query)) {
                        continue;
                    }
                    Long value = query.reset() ? drained.remove(name) : drained.get(name);
                    if (value != null) {
                        totals.merge(name, value, Long::sum);
                    }
                }
            } else {
                for (Iterator<Map.Entry<String, Long>> it = drained.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<String, Long> entry = it.next();
                    if (wanted(entry.getKey(), kind, query)) {
                        totals.merge(entry.getKey(), entry.getValue(), Long::sum);
                        if (query.reset()) {
                            it.remove();
                        }
                    }
                }
            }
            if (query.scope().isSingle()) {
                if (totals.isEmpty() && !targetKnown) {
                    throw new BackendException(BackendException.Kind.NOT_FOUND, "the node knows no " + kind + " \""
                            + query.name() + "\" and holds no traffic counters for it");
                }
                for (String direction : DIRECTIONS) {
                    totals.putIfAbsent(CounterName.of(kind, query.name(), direction), 0L);
                }
            }
            List<Stat> stats = new ArrayList<>(totals.size());
            totals.forEach((counter, value) -> {
                CounterName name = CounterName.parse(counter).orElseThrow();
                stats.add(new Stat(name.name(), name.direction(), CounterName.LINK, value));
            });
            return stats;
        } finally {
            held.unlock();
        }
    }

    private boolean wanted(String counter, String kind, StatQuery query) {
        Optional<CounterName> parsed = CounterName.parse(counter);
        if (parsed.isEmpty() || !parsed.get().kind().equals(kind)) {
            return false;
        }
        String name = parsed.get().name();
        if (kind.equals("inbound") && name.equals(apiInboundTag)) {
            return false;
        }
        return !query.scope().isSingle() || name.equals(query.name());
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
