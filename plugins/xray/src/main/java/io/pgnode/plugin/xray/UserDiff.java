package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        Builder diff = from(current);
        wanted.forEach(diff::want);
        return diff.build(fullSet, untouched);
    }

    /** A diff against {@code current} (what the core holds, by email), given the wanted users one at a time. */
    static Builder from(Map<String, UserEntry> current) {
        return new Builder(current);
    }

    /**
     * Collects a diff as the wanted users come: it keeps the users that change and which current users it saw,
     * never the whole wanted set (a sync of 100,000 users with 1% changed keeps 1,000 entries).
     *
     * <p>The current users seen are kept by identity, in one array without an object per entry and without the
     * request's copies of their emails: a wanted user that is not kept is garbage before the next young
     * collection. (Only current users can be missing from a full set, so only they need to be remembered.)
     */
    static final class Builder {

        private final Map<String, UserEntry> current;
        private final Map<String, UserEntry> changed = new LinkedHashMap<>();
        private final Set<UserEntry> seen;

        private Builder(Map<String, UserEntry> current) {
            this.current = requireNonNull(current, "current is null");
            this.seen = Collections.newSetFromMap(new IdentityHashMap<>(current.size()));
        }

        /** One wanted user; a later entry for the same email replaces an earlier one. */
        void want(UserEntry entry) {
            UserEntry now = current.get(entry.email());
            if (now != null) {
                seen.add(now);
            }
            if (now != null && now.hasSameAccountsAs(entry)) {
                changed.remove(entry.email());
            } else {
                changed.put(entry.email(), entry);
            }
        }

        /**
         * @param fullSet whether the wanted users are the whole set (users not among them are removed)
         * @param untouched emails that stay as they are even when missing from a full set
         */
        UserDiff build(boolean fullSet, Set<String> untouched) {
            List<Change> changes = new ArrayList<>();
            changed.forEach((email, next) -> {
                UserEntry now = current.get(email);
                addChanges(changes, email, now == null ? Map.of() : now.accounts(), next.accounts());
            });
            if (fullSet) {
                for (UserEntry now : current.values()) {
                    if (!seen.contains(now) && !untouched.contains(now.email())) {
                        now.accounts().forEach((tag, account) -> changes.add(new Change(tag, now.email(), account, null)));
                        changed.put(now.email(), new UserEntry(now.email(), Map.of()));
                    }
                }
            }
            return new UserDiff(changes, changed);
        }
    }

    /** One change per inbound whose account differs between {@code before} and {@code after}. */
    private static void addChanges(List<Change> changes, String email, Map<String, InboundAccount> before,
            Map<String, InboundAccount> after) {
        before.forEach((tag, removed) -> {
            InboundAccount added = after.get(tag);
            if (!removed.equals(added)) {
                changes.add(new Change(tag, email, removed, added));
            }
        });
        after.forEach((tag, added) -> {
            if (!before.containsKey(tag)) {
                changes.add(new Change(tag, email, null, added));
            }
        });
    }

    /** The changes, in no particular order across users; each one is independent of the others. */
    List<Change> changes() {
        return changes;
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Every user that changes, as wanted (an entry without accounts: the user goes away). */
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
