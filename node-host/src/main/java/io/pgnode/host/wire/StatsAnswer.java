package io.pgnode.host.wire;

import io.pgnode.host.service.NodeService;
import io.pgnode.spi.StatQuery;

/**
 * A traffic answer of {@link NodeService#stats}, encoded for either transport. With reset, the stats it holds
 * were taken out of the core and the ledger: if the answer fails half-way, or does not reach the panel, what it
 * took goes back ({@link #giveBack()}) so that the next poll reports it.
 */
public final class StatsAnswer {

    private final NodeService service;
    private final StatQuery query;
    private final EncodedStats encoded;

    private StatsAnswer(NodeService service, StatQuery query, EncodedStats encoded) {
        this.service = service;
        this.query = query;
        this.encoded = encoded;
    }

    /** Reads the stats; a failure after some were read gives those back before it is thrown. */
    public static StatsAnswer collect(NodeService service, StatQuery query) {
        EncodedStats.Writer writer = new EncodedStats.Writer();
        try {
            service.stats(query, writer.sink());
        } catch (RuntimeException e) {
            service.giveBack(query, writer.finish().stats());
            throw e;
        }
        return new StatsAnswer(service, query, writer.finish());
    }

    public EncodedStats encoded() {
        return encoded;
    }

    /** Whether the answer took what it holds (a reset): then it must be given back if it is not delivered. */
    public boolean tookUsage() {
        return query.reset();
    }

    /** The answer did not reach the panel: what it took goes back into the ledger. */
    public void giveBack() {
        service.giveBack(query, encoded.stats());
    }
}
