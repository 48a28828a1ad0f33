package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A panel user as a backend sees it.
 *
 * @param email the user's unique key in the panel; also the name of the user's traffic counters
 * @param proxies the user's credentials per protocol
 * @param inbounds the inbound tags the user belongs to; empty means the user is to be removed
 */
public record User(String email, Proxies proxies, List<String> inbounds) {

    public User {
        requireNonNull(email, "email is null");
        requireNonNull(proxies, "proxies is null");
        inbounds = List.copyOf(inbounds);
    }

    /** Whether this user is a removal: it belongs to no inbound. */
    public boolean isRemoval() {
        return inbounds.isEmpty();
    }
}
