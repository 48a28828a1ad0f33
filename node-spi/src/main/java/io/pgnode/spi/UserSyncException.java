package io.pgnode.spi;

import java.util.List;

/**
 * What a user sync could not apply, after it applied everything else: the users it skipped because the panel
 * sent them with credentials the backend cannot take, and the changes the core refused. Thrown by
 * {@link Backend#syncUser}, {@link Backend#replaceUsers} and {@link Backend#updateUsers}. Its kind is
 * {@code INVALID_USER} (HTTP 400) when a skipped user or a refusal is the panel's input's fault, else
 * {@code FAILURE}; its message names them (the first {@value #NAMED}) in one sentence.
 */
public final class UserSyncException extends BackendException {

    private static final long serialVersionUID = 1L;

    /** How many skipped users and refused changes the message names; the rest are counted. */
    public static final int NAMED = 20;

    /**
     * A user left as it was because its credentials cannot be taken.
     *
     * @param email the user
     * @param reason why, e.g. {@code "the vless id is not a UUID"}; never the credential itself
     */
    public record SkippedUser(String email, String reason) {}

    /**
     * A change the core refused.
     *
     * @param email the user
     * @param where what the change was about (an inbound's tag, an interface)
     * @param reason the core's own words
     * @param invalidUser whether the core refused the user's credentials (the panel's input) rather than failed
     */
    public record RefusedChange(String email, String where, String reason, boolean invalidUser) {}

    private final transient List<SkippedUser> skipped;
    private final transient List<RefusedChange> refused;

    /** At least one of the lists is not empty. */
    public UserSyncException(List<SkippedUser> skipped, List<RefusedChange> refused) {
        super(kind(skipped, refused), message(skipped, refused));
        this.skipped = List.copyOf(skipped);
        this.refused = List.copyOf(refused);
    }

    /** The users skipped for invalid credentials, in the order given. */
    public List<SkippedUser> skipped() {
        return skipped;
    }

    /** The changes the core refused. */
    public List<RefusedChange> refused() {
        return refused;
    }

    private static Kind kind(List<SkippedUser> skipped, List<RefusedChange> refused) {
        if (skipped.isEmpty() && refused.isEmpty()) {
            throw new IllegalArgumentException("a UserSyncException needs a skipped user or a refused change");
        }
        boolean panelInput = !skipped.isEmpty() || refused.stream().anyMatch(RefusedChange::invalidUser);
        return panelInput ? Kind.INVALID_USER : Kind.FAILURE;
    }

    private static String message(List<SkippedUser> skipped, List<RefusedChange> refused) {
        StringBuilder message = new StringBuilder();
        int named = 0;
        if (!skipped.isEmpty()) {
            message.append("skipped ").append(count(skipped.size(), "user")).append(" with invalid credentials: ");
            int shown = Math.min(skipped.size(), NAMED);
            for (int i = 0; i < shown; i++) {
                SkippedUser user = skipped.get(i);
                message.append(i > 0 ? "; " : "").append(user.email()).append(" (").append(user.reason()).append(')');
            }
            named = shown;
            appendUnnamed(message, skipped.size() - shown);
        }
        if (!refused.isEmpty()) {
            message.append(message.length() > 0 ? ". " : "")
                    .append("the core refused ").append(count(refused.size(), "user change")).append(": ");
            int shown = Math.min(refused.size(), NAMED - named);
            for (int i = 0; i < shown; i++) {
                RefusedChange change = refused.get(i);
                message.append(i > 0 ? "; " : "").append(change.email()).append(" in ").append(change.where())
                        .append(": ").append(change.reason());
            }
            appendUnnamed(message, refused.size() - shown);
        }
        return message.append("; the other users were applied").toString();
    }

    private static void appendUnnamed(StringBuilder message, int unnamed) {
        if (unnamed > 0) {
            message.append("; and ").append(unnamed).append(" more");
        }
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
