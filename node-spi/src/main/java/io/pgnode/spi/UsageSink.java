package io.pgnode.spi;

/**
 * The node's ledger of traffic the panel has not collected yet, as a backend hands traffic over to it
 * ({@link BackendContext#usage()}). The node keeps what it gets durably (in its data directory, across Stop,
 * new Starts and its own restarts) and reports it, exactly once, in the next stats poll with reset.
 *
 * <p>Hand over only traffic you took out of the core for good (its counters read with reset, or the part of a
 * cumulative counter above what you handed over before): the node adds it to what the core still counts, so a
 * byte handed over and still counted by the core would be reported twice.
 */
@FunctionalInterface
public interface UsageSink {

    /**
     * Adds traffic to one counter. Safe to call from any thread; never blocks on I/O (the node writes its file
     * later).
     *
     * @param owner whose traffic it is
     * @param name the user's email, or the inbound's or outbound's tag
     * @param direction {@code "uplink"} or {@code "downlink"}, as {@link Stat#type()}
     * @param bytes how many bytes; zero and negative amounts are ignored
     */
    void add(TrafficOwner owner, String name, String direction, long bytes);
}
