package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

/**
 * Which counters the panel asks for.
 *
 * @param scope whose counters
 * @param name the user's email or the inbound/outbound tag for the single-target scopes; ignored otherwise
 * @param reset whether to zero the returned counters after reading them
 */
public record StatQuery(Scope scope, String name, boolean reset) {

    public StatQuery {
        requireNonNull(scope, "scope is null");
        requireNonNull(name, "name is null");
    }

    /** Whose counters a query asks for. */
    public enum Scope {
        /** Every outbound. */
        OUTBOUNDS,
        /** One outbound, by tag. */
        OUTBOUND,
        /** Every inbound. */
        INBOUNDS,
        /** One inbound, by tag. */
        INBOUND,
        /** Every user. */
        USERS,
        /** One user, by email. */
        USER;

        /** Whether this scope names a single target through {@link StatQuery#name()}. */
        public boolean isSingle() {
            return this == OUTBOUND || this == INBOUND || this == USER;
        }

        /** Whose counters the scope covers. */
        public TrafficOwner owner() {
            return switch (this) {
                case OUTBOUNDS, OUTBOUND -> TrafficOwner.OUTBOUND;
                case INBOUNDS, INBOUND -> TrafficOwner.INBOUND;
                case USERS, USER -> TrafficOwner.USER;
            };
        }
    }
}
