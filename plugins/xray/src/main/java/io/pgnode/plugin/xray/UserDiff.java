package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What must change in the core to go from the users it holds to the users wanted: one {@link Change} per
 * (inbound, user) whose account differs. Users whose accounts are equal produce nothing, so they are not
 * touched and keep their connections.
 */
final class UserDiff {

    /**
     * One user's change in one inbound: remove the old account (if any), then add the new one (if any).
     *
     * @param tag the inbound
     * @param email the user
     * @param removed the account the core holds now, or null
     * @param added the account the core must hold, or null
     */
    record Change(String tag, String email, InboundAccount removed, InboundAccount added) {
        Change {
            requireNonNull(tag, "tag is null");
            requireNonNull(email, "email is null");
        }
    }

    private final List<Change> changes;
    private final Map<String, UserEntry> wanted;

    private UserDiff(List<Change> changes, Map<String, UserEntry> wanted) {
        this.changes = List.copyOf(changes);
        this.wanted = wanted;
    }

    /**
     * Compares the current users with the wanted ones.
     *
     * @param current what the core holds, by email
     * @param wanted the users to sync; a later entry for the same email wins
     * @param fullSet whether {@code wanted} is the whole set (users missing from it are removed) or a part
     * @param untouched emails that stay as they are even when missing from a full set (users the panel
     *     sent with invalid credentials: bad input changes nothing)
     */
    static UserDiff between(Map<String, UserEntry> current, Collection<UserEntry> wanted, boolean fullSet,
            Set<String> untouched) {
        Map<String, UserEntry> byEmail = new LinkedHashMap<>();
        for (UserEntry entry : wanted) {
            byEmail.put(entry.email(), entry);
        }
        List<Change> changes = new ArrayList<>();
        for (UserEntry next : byEmail.values()) {
            UserEntry now = current.get(next.email());
            Map<String, InboundAccount> before = now == null ? Map.of() : now.accounts();
            Set<String> tags = new HashSet<>(before.keySet());
            tags.addAll(next.accounts().keySet());
            for (String tag : tags) {
                InboundAccount removed = before.get(tag);
                InboundAccount added = next.accountIn(tag);
                if (!Objects.equals(removed, added)) {
                    changes.add(new Change(tag, next.email(), removed, added));
                }
            }
        }
        if (fullSet) {
            for (UserEntry now : current.values()) {
                if (!byEmail.containsKey(now.email()) && !untouched.contains(now.email())) {
                    now.accounts().forEach((tag, account) -> changes.add(new Change(tag, now.email(), account, null)));
                    byEmail.put(now.email(), new UserEntry(now.email(), Map.of()));
                }
            }
        }
        return new UserDiff(changes, byEmail);
    }

    /** The changes, in no particular order across users; each one is independent of the others. */
    List<Change> changes() {
        return changes;
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Every user this diff speaks about, as wanted (an entry without accounts: the user goes away). */
    Collection<UserEntry> wantedUsers() {
        return wanted.values();
    }

    /** Whether some change touches an inbound the core cannot alter live (then only a restart applies it). */
    boolean needsRestart(CoreFlavor flavor, Map<String, ManagedInbound> inbounds) {
        for (Change change : changes) {
            ManagedInbound inbound = inbounds.get(change.tag());
            if (inbound != null && !flavor.canAlterLive(inbound.protocol())) {
                return true;
            }
        }
        return false;
    }

    /** Emails of the users that change at all. */
    Set<String> changedEmails() {
        Set<String> emails = new HashSet<>();
        changes.forEach(c -> emails.add(c.email()));
        return emails;
    }
}
