package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A user as the core holds it: the email and one account per managed inbound the user belongs to. An entry
 * without accounts is a user the core must not know.
 *
 * <p>Kept small because the backend holds one per user: two parallel arrays instead of a map, and the array
 * of tags is shared by every user of the same inbounds ({@link PanelConfig#resolve} hands out one per
 * combination), so an entry costs its email, its accounts and about 60 bytes.
 */
final class UserEntry {

    private final String email;
    private final String[] tags;
    private final InboundAccount[] accounts;

    /**
     * @param email the user's key and the name of its counters
     * @param accounts inbound tag → the account in that inbound
     */
    UserEntry(String email, Map<String, InboundAccount> accounts) {
        this(email, accounts.keySet().toArray(String[]::new), accounts.values().toArray(InboundAccount[]::new));
    }

    /**
     * @param tags the inbounds' tags, distinct; not copied, so that users of the same inbounds share it: never
     *     changed afterwards
     * @param accounts the account in each of those inbounds, in the same order; not copied either (both callers
     *     build it for this entry alone): never changed afterwards
     */
    UserEntry(String email, String[] tags, InboundAccount[] accounts) {
        this.email = requireNonNull(email, "email is null");
        this.tags = requireNonNull(tags, "tags is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        if (tags.length != accounts.length) {
            throw new IllegalArgumentException(tags.length + " tags for " + accounts.length + " accounts");
        }
        for (int i = 0; i < tags.length; i++) {
            requireNonNull(tags[i], "a tag is null");
            requireNonNull(accounts[i], "the account in " + tags[i] + " is null");
        }
    }

    /** The user's key and the name of its counters. */
    String email() {
        return email;
    }

    /** The account in the given inbound, or null when the user is not in it. */
    InboundAccount accountIn(String tag) {
        for (int i = 0; i < tags.length; i++) {
            if (tags[i].equals(tag)) {
                return accounts[i];
            }
        }
        return null;
    }

    /** How many inbounds the user is in. */
    int inboundCount() {
        return tags.length;
    }

    /**
     * Whether the user has the same account in the same inbounds as {@code other}: "nothing to change" when
     * user sets are compared. Users resolved against one config share their tag array, so this is a
     * comparison of the two account arrays; otherwise the accounts are compared by tag.
     */
    boolean hasSameAccountsAs(UserEntry other) {
        return tags == other.tags ? Arrays.equals(accounts, other.accounts) : accounts().equals(other.accounts());
    }

    /** Inbound tag → the account in that inbound: a read-only view. */
    Map<String, InboundAccount> accounts() {
        return new AccountsView();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UserEntry that && email.equals(that.email) && hasSameAccountsAs(that);
    }

    @Override
    public int hashCode() {
        return Objects.hash(email, accounts());
    }

    @Override
    public String toString() {
        return "UserEntry[email=" + email + ", accounts=" + accounts() + "]";
    }

    /** The accounts as a map, backed by the arrays; small enough that a scan beats hashing. */
    private final class AccountsView extends AbstractMap<String, InboundAccount> {

        @Override
        public InboundAccount get(Object tag) {
            return tag instanceof String t ? accountIn(t) : null;
        }

        @Override
        public boolean containsKey(Object tag) {
            return get(tag) != null;
        }

        @Override
        public int size() {
            return tags.length;
        }

        @Override
        public Set<Entry<String, InboundAccount>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return tags.length;
                }

                @Override
                public Iterator<Entry<String, InboundAccount>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < tags.length;
                        }

                        @Override
                        public Entry<String, InboundAccount> next() {
                            if (next == tags.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return Map.entry(tags[i], accounts[i]);
                        }
                    };
                }
            };
        }
    }
}
