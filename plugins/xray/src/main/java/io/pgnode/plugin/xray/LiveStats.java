package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.Deadline;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Answers stats queries with what the running core counts now; the node adds what its ledger holds. A list is one
 * QueryStats read in one pass over the answer's bytes (100,000 users are 200,000 counters); a single target is
 * read by its exact counter names (GetStats), so that a query for user {@code a} can never read or reset the
 * counters of a name that merely contains it.
 */
final class LiveStats {

    private final UsageDrain usage;

    LiveStats(UsageDrain usage) {
        this.usage = requireNonNull(usage, "usage is null");
    }

    /**
     * Every counter of the query's owner, handed to {@code sink} in the core's order.
     *
     * @param api the running core, or null while none runs (a restarted core starts from zero: nothing to add)
     */
    void list(CoreApiClient api, StatQuery query, Consumer<Stat> sink) {
        if (api == null) {
            return;
        }
        TrafficOwner owner = query.scope().owner();
        try (CoreCounters live = api.queryStats(CounterName.prefix(owner), query.reset())) {
            for (int i = 0; i < live.size(); i++) {
                CounterName name = live.counterName(i);
                if (name == null) {
                    continue;
                }
                long value = live.value(i);
                if (name.owner() != owner) {
                    // the core matches the pattern anywhere in a name (an inbound tagged "user"); a reset took it
                    // out of the core, so it goes to the ledger rather than nowhere
                    if (query.reset()) {
                        usage.handOver(name, value);
                    }
                } else if (usage.reported(name)) {
                    sink.accept(new Stat(name.name(), name.direction(), CounterName.LINK, value));
                }
            }
        }
    }

    /**
     * Both directions of one user, inbound or outbound (downlink first), zero where the core has no counter yet.
     *
     * @param api the running core, or null while none runs
     * @param known whether the node knows the target (a user it holds, a tag of the config), so that a target
     *     without counters yet is zero traffic rather than unknown
     * @throws BackendException {@code NOT_FOUND} when the target is unknown and the core has no counter of it
     */
    List<Stat> single(CoreApiClient api, StatQuery query, boolean known) {
        String kind = CounterName.kind(query.scope().owner());
        boolean readable = api != null
                && !(query.scope().owner() == TrafficOwner.INBOUND && usage.isNodeInbound(query.name()));
        Deadline deadline = Deadline.after(CoreApiClient.READ_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        OptionalLong down = readable ? api.counter(CounterName.of(kind, query.name(), CounterName.DOWNLINK),
                query.reset(), deadline) : OptionalLong.empty();
        OptionalLong up = readable ? api.counter(CounterName.of(kind, query.name(), CounterName.UPLINK),
                query.reset(), deadline) : OptionalLong.empty();
        if (down.isEmpty() && up.isEmpty() && !known) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "the node knows no " + kind + " \""
                    + query.name() + "\" and its core holds no traffic counters for it");
        }
        return List.of(new Stat(query.name(), CounterName.DOWNLINK, CounterName.LINK, down.orElse(0)),
                new Stat(query.name(), CounterName.UPLINK, CounterName.LINK, up.orElse(0)));
    }
}
