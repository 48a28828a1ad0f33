package io.pgnode.plugin.xray;

import io.pgnode.spi.UserSyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one user sync could not apply, collected while it runs and reported once at its end as the SPI's
 * {@link UserSyncException}: the users skipped for credentials the core cannot take, and the changes the core
 * refused, each with whether the panel's input was at fault. The exception's kind and sentence come from these
 * facts alone; nothing here reads the core's words.
 */
final class SyncProblems {

    private final List<UserSyncException.SkippedUser> skipped = new ArrayList<>();
    private final List<UserSyncException.RefusedChange> refused = new ArrayList<>();

    /** Users left as they were: email → why (never the credential itself), in the order the panel sent them. */
    void skipped(Map<String, String> invalid) {
        invalid.forEach((email, reason) -> skipped.add(new UserSyncException.SkippedUser(email, reason)));
    }

    /** A change the core answered with an error. */
    void refused(LiveUserUpdater.Outcome outcome) {
        refused.add(new UserSyncException.RefusedChange(outcome.change().email(), outcome.change().tag(),
                outcome.errorText(), outcome.refusedTheUser()));
    }

    boolean isEmpty() {
        return skipped.isEmpty() && refused.isEmpty();
    }

    /** What the sync could not apply, or empty when it applied everything. */
    Optional<UserSyncException> toException() {
        return isEmpty() ? Optional.empty() : Optional.of(new UserSyncException(skipped, refused));
    }

    /** Reports what the sync could not apply, if anything: after everything else was applied. */
    void throwIfAny() {
        Optional<UserSyncException> problems = toException();
        if (problems.isPresent()) {
            throw problems.get();
        }
    }

    /** The sentence the panel would get; only when there is something to say. */
    String sentence() {
        return new UserSyncException(skipped, refused).getMessage();
    }
}
