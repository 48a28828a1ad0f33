package io.pgnode.plugin.xray;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users the core holds (or will hold after its next start), by email: O(1) lookups for diffing. Writes
 * are guarded by the backend's lifecycle lock; {@link #contains(String)} is safe from any thread, so that
 * stats queries never wait for a sync. One map, no second index: with 100,000 users every entry counts.
 */
final class UserTable {

    private final Map<String, UserEntry> users = new ConcurrentHashMap<>();

    /** A read-only view, by email. */
    Map<String, UserEntry> byEmail() {
        return Collections.unmodifiableMap(users);
    }

    /** The users, in no particular order (the order configs are rendered in). */
    Collection<UserEntry> all() {
        return Collections.unmodifiableCollection(users.values());
    }

    int size() {
        return users.size();
    }

    /** Whether the user is in the table; safe to call from any thread. */
    boolean contains(String email) {
        return users.containsKey(email);
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
