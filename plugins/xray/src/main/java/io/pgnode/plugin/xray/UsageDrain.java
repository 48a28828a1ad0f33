package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.Deadline;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Moves traffic out of a core into the node's usage ledger ({@link BackendContext#usage()}): the counters of the
 * asked owners are read with reset (QueryStats {@code user>>>}, {@code inbound>>>}, {@code outbound>>>}) and
 * every non-zero traffic counter is handed over. The core's reset is atomic per counter, so a byte goes either
 * into a drain or into a stats answer with reset, never into both.
 *
 * <p>A node that keeps no ledger (one built before SPI 1.1) has no sink: nothing is drained then, and the core's
 * counters stay where the panel's polls find them.
 */
final class UsageDrain {

    /**
     * All owners' QueryStats of one drain together: a drain of 100,000 users' counters took 0.57-0.79 s on v2ray
     * 4.34 here.
     */
    static final Duration DEADLINE = CoreApiClient.QUERY_DEADLINE;

    static final Set<TrafficOwner> ALL = EnumSet.allOf(TrafficOwner.class);

    private final UsageSink sink;
    private final Set<String> nodeInboundTags;

    private UsageDrain(UsageSink sink, Set<String> nodeInboundTags) {
        this.sink = sink;
        this.nodeInboundTags = Set.copyOf(nodeInboundTags);
    }

    /** @param nodeInboundTags the node's own inbounds (API, latency probes), whose counters are never handed over */
    static UsageDrain of(BackendContext context, Set<String> nodeInboundTags) {
        UsageSink sink;
        try {
            sink = requireNonNull(context.usage(), "usage() is null");
        } catch (UnsupportedOperationException noLedger) {
            sink = null;
        }
        return new UsageDrain(sink, nodeInboundTags);
    }

    /** The same ledger, for a core whose own inbounds have other tags (an earlier core's). */
    UsageDrain forNodeInbounds(Set<String> tags) {
        return new UsageDrain(sink, tags);
    }

    /** Whether the node keeps a ledger to drain into. */
    boolean hasLedger() {
        return sink != null;
    }

    /**
     * Moves the owners' counters from the core into the ledger, within {@link #DEADLINE}. What was handed over
     * before a failure stays handed over; what was not stays in the core.
     *
     * @return the bytes handed over
     * @throws io.pgnode.spi.BackendException {@code FAILURE} when the core does not answer
     */
    long drain(CoreApiClient api, Set<TrafficOwner> owners) {
        if (sink == null || owners.isEmpty()) {
            return 0;
        }
        Deadline deadline = Deadline.after(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        long bytes = 0;
        for (TrafficOwner owner : EnumSet.copyOf(owners)) {
            try (CoreCounters counters = api.queryStats(CounterName.prefix(owner), true, deadline)) {
                for (int i = 0; i < counters.size(); i++) {
                    long value = counters.value(i);
                    if (value > 0 && handOver(counters.counterName(i), value)) {
                        bytes += value;
                    }
                }
            }
        }
        return bytes;
    }

    /**
     * Hands over one counter that was taken out of the core for good (read with reset), under its own owner.
     *
     * @return whether it was handed over: not a counter of the node's own inbounds, nor one that is not
     *     traffic, nor without a ledger
     */
    boolean handOver(CounterName name, long value) {
        if (sink == null || name == null || value <= 0 || !reported(name)) {
            return false;
        }
        sink.add(name.owner(), name.name(), name.direction(), value);
        return true;
    }

    /** Whether the panel sees this counter: every user, inbound and outbound counter but the node's own inbounds'. */
    boolean reported(CounterName name) {
        TrafficOwner owner = name.owner();
        return owner != null && !(owner == TrafficOwner.INBOUND && isNodeInbound(name.name()));
    }

    /** Whether the tag is one of the node's own inbounds (its API's, its latency probes'). */
    boolean isNodeInbound(String tag) {
        return nodeInboundTags.contains(tag);
    }
}
