package io.pgnode.spi;

/** Whose traffic a counter counts. */
public enum TrafficOwner {
    /** A user, named by email. */
    USER,
    /** An inbound, named by tag. */
    INBOUND,
    /** An outbound, named by tag. */
    OUTBOUND
}
