package io.pgnode.plugin.xray;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users the core holds (or will hold after its next start), by email: O(1) lookups for diffing. Not
 * thread-safe, except {@link #contains(String)}: the backend guards it with its lifecycle lock.
 */
final class UserTable {

    private final Map<String, UserEntry> users = new LinkedHashMap<>();
    /** The emails of {@link #users}, readable without the lock: stats queries must not wait for a sync. */
    private final Set<String> emails = ConcurrentHashMap.newKeySet();

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

    /** Whether the user is in the table; safe to call from any thread. */
    boolean contains(String email) {
        return emails.contains(email);
    }

    /** Sets one user as given; an entry without accounts removes the user. */
    void put(UserEntry entry) {
        if (entry.accounts().isEmpty()) {
            users.remove(entry.email());
            emails.remove(entry.email());
        } else {
            users.put(entry.email(), entry);
            emails.add(entry.email());
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
