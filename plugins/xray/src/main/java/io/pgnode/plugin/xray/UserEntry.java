package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A user as the core holds it: the email and one account per managed inbound the user belongs to. An entry
 * without accounts is a user the core must not know.
 *
 * @param email the user's key and the name of its counters
 * @param accounts inbound tag → the account in that inbound
 */
record UserEntry(String email, Map<String, InboundAccount> accounts) {

    UserEntry {
        requireNonNull(email, "email is null");
        accounts = Map.copyOf(accounts);
    }

    /** The account in the given inbound, or null when the user is not in it. */
    InboundAccount accountIn(String tag) {
        return accounts.get(tag);
    }
}
