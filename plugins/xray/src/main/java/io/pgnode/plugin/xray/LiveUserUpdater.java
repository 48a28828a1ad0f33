package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Applies a {@link UserDiff} to a running core through AlterInbound. Changes are independent of each other,
 * so they are issued concurrently with a bounded number in flight; within one change the removal goes
 * first and the add follows.
 *
 * <p>The core's own verdicts are tolerated where they mean the wanted state already holds: removing a
 * user the core does not have ("not found.") counts as removed, and an add that meets the same email
 * ("already exists.") removes that stale user and adds again once.
 *
 * <p>Once one call finds the core unreachable (no answer within the call's deadline, the connection gone), the
 * changes not yet sent are not sent: each would wait out its own deadline against the same dead core. They end
 * as unreachable too, and the restart that follows renders them.
 */
final class LiveUserUpdater {

    /** Enough to keep the core's API busy without queueing thousands of calls on the channel. */
    static final int MAX_IN_FLIGHT = 32;

    /**
     * What one change did.
     *
     * @param removed whether the old account is gone from the core
     * @param added whether the new account is in the core
     * @param error the core's error when the change did not complete, else null
     */
    record Outcome(UserDiff.Change change, boolean removed, boolean added, Throwable error) {
        Outcome {
            requireNonNull(change, "change is null");
        }

        /** Whether the change failed because the core could not be reached, not because it said no. */
        boolean coreUnreachable() {
            if (error == null) {
                return false;
            }
            if (!(error instanceof StatusRuntimeException)) {
                return true;
            }
            Status.Code code = ((StatusRuntimeException) error).getStatus().getCode();
            return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.CANCELLED;
        }

        /**
         * Whether the core refused the user's account itself (it could not parse it: an id that is not a UUID, an
         * account type it does not know): the panel's input, not the core's state.
         */
        boolean refusedTheUser() {
            return error instanceof StatusRuntimeException e && !coreUnreachable()
                    && CoreApiClient.isUserRefused(e.getStatus().getDescription());
        }

        /** The core's own words about the failure, with the user's credential masked should the core quote it. */
        String errorText() {
            String text;
            if (error instanceof StatusRuntimeException) {
                Status status = ((StatusRuntimeException) error).getStatus();
                text = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
            } else {
                text = String.valueOf(error);
            }
            InboundAccount account = change.added();
            return account == null || account.secret().isEmpty() ? text
                    : text.replace(account.secret(), InboundAccount.mask(account.secret()));
        }
    }

    /** The outcome's error of a change not sent because an earlier one found the core unreachable. */
    private static final StatusRuntimeException NOT_SENT = Status.UNAVAILABLE
            .withDescription("not sent: the core stopped answering during this sync").asRuntimeException();

    private final CoreApiClient api;

    LiveUserUpdater(CoreApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    /** Applies every change and returns once each has an outcome. */
    List<Outcome> apply(List<UserDiff.Change> changes) throws InterruptedException {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicBoolean unreachable = new AtomicBoolean();
        List<CompletableFuture<Outcome>> pending = new ArrayList<>(changes.size());
        for (UserDiff.Change change : changes) {
            inFlight.acquire();
            if (unreachable.get()) {
                inFlight.release();
                pending.add(CompletableFuture.completedFuture(new Outcome(change, false, false, NOT_SENT)));
                continue;
            }
            CompletableFuture<Outcome> outcome = applyOne(change);
            outcome.whenComplete((o, t) -> {
                if (o != null && o.coreUnreachable()) {
                    unreachable.set(true);
                }
                inFlight.release();
            });
            pending.add(outcome);
        }
        List<Outcome> outcomes = new ArrayList<>(pending.size());
        for (CompletableFuture<Outcome> outcome : pending) {
            outcomes.add(outcome.join());
        }
        return outcomes;
    }

    private CompletableFuture<Outcome> applyOne(UserDiff.Change change) {
        CompletableFuture<Boolean> removal = change.removed() == null
                ? CompletableFuture.completedFuture(true)
                : api.removeUser(change.tag(), change.email()).handle((ok, error) -> {
                    if (error == null || CoreApiClient.isNotFound(describe(error))) {
                        return true;
                    }
                    throw new CompletionException(unwrap(error));
                });
        return removal
                .thenCompose(removed -> change.added() == null
                        ? CompletableFuture.completedFuture(new Outcome(change, true, false, null))
                        : add(change, true))
                .exceptionally(error -> new Outcome(change, false, false, unwrap(error)));
    }

    private CompletableFuture<Outcome> add(UserDiff.Change change, boolean mayRetry) {
        return api.addUser(change.tag(), change.email(), change.added())
                .thenApply(ok -> new Outcome(change, true, true, null))
                .exceptionallyCompose(error -> {
                    if (mayRetry && CoreApiClient.isAlreadyExists(describe(error))) {
                        // the core holds a user we did not know about under this email: replace it
                        return api.removeUser(change.tag(), change.email()).thenCompose(ok -> add(change, false));
                    }
                    return CompletableFuture.completedFuture(new Outcome(change, true, false, unwrap(error)));
                });
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof StatusRuntimeException) {
            String description = ((StatusRuntimeException) cause).getStatus().getDescription();
            return description == null ? "" : description;
        }
        return "";
    }
}
