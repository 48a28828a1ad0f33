package io.pgnode.plugin.xray;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The users the core holds (or will hold after its next start), by email: O(1) lookups for diffing. Not
 * thread-safe: the backend guards it with its lifecycle lock.
 */
final class UserTable {

    private final Map<String, UserEntry> users = new LinkedHashMap<>();

    /** A read-only view, by email. */
    Map<String, UserEntry> byEmail() {
        return Collections.unmodifiableMap(users);
    }

    /** The users in insertion order (the order configs are rendered in). */
    Collection<UserEntry> all() {
        return Collections.unmodifiableCollection(users.values());
    }

    int size() {
        return users.size();
    }

    /** Sets one user as given; an entry without accounts removes the user. */
    void put(UserEntry entry) {
        if (entry.accounts().isEmpty()) {
            users.remove(entry.email());
        } else {
            users.put(entry.email(), entry);
        }
    }

    /** Sets every user a diff speaks about to its wanted state (used when the core will be re-rendered). */
    void putAll(UserDiff diff) {
        diff.wantedUsers().forEach(this::put);
    }

    /**
     * Records what one change did in the core: the account is absent if the removal happened and the add did
     * not, present with the new account if the add happened, unchanged if nothing happened.
     */
    void record(UserDiff.Change change, boolean removed, boolean added) {
        UserEntry now = users.get(change.email());
        Map<String, InboundAccount> accounts = new HashMap<>(now == null ? Map.of() : now.accounts());
        if (added) {
            accounts.put(change.tag(), change.added());
        } else if (removed) {
            accounts.remove(change.tag());
        } else {
            return;
        }
        put(new UserEntry(change.email(), accounts));
    }
}
