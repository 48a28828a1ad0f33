package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.User;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user sync against the users the core holds: the given users resolved and compared one at a time
 * ({@link UserDiff}), only the difference applied, live through the core's API ({@link LiveUserUpdater}) or, where
 * the core cannot change users live (Shadowsocks on v2fly), by a restart with the new set. What could not be
 * applied is collected in {@link SyncProblems}. The same payload twice finds no difference and calls nothing.
 */
final class UserSync {

    private static final Logger log = LoggerFactory.getLogger(UserSync.class);

    /** What the sync needs of the backend, which serializes syncs with restarts. */
    interface Core {
        /** Restarts the core with the current users (after draining it), now; throws when it does not come up. */
        void restartForChange(CoreSession running, String reason);

        /** The core stopped answering during a sync: restart it when possible. */
        void unreachable(CoreSession running);
    }

    /**
     * @param unreachable whether the core stopped answering meanwhile (the changes not confirmed are in the user
     *     table, and the restart that follows renders them)
     */
    record Result(SyncProblems problems, boolean unreachable) {}

    private final PanelConfig config;
    private final UserTable users;
    private final Core core;

    UserSync(PanelConfig config, UserTable users, Core core) {
        this.config = requireNonNull(config, "config is null");
        this.users = requireNonNull(users, "users is null");
        this.core = requireNonNull(core, "core is null");
    }

    /**
     * Caller holds the backend's lock.
     *
     * @param fullSet whether {@code given} is the whole user set (users not in it are removed)
     * @param running the core, or null while none runs (its next start renders the users)
     */
    Result apply(Collection<User> given, boolean fullSet, CoreFlavor flavor, CoreSession running) {
        long began = System.nanoTime();
        SyncProblems problems = new SyncProblems();
        UserDiff.Builder wanted = UserDiff.from(users.byEmail());
        Map<String, String> invalid = config.resolveEach(given, flavor, wanted::want);
        problems.skipped(invalid);
        UserDiff diff = wanted.build(fullSet, invalid.keySet());
        long compared = System.nanoTime();
        boolean unreachable = false;
        if (diff.isEmpty()) {
            log.debug("user sync of {} users: nothing changed", given.size());
            return new Result(problems, false);
        }
        if (diff.needsRestart(flavor, config.managedInbounds())) {
            users.putAll(diff);
            log.info("{} users changed in inbounds a {} core cannot change live (Shadowsocks); restarting it",
                    diff.changedEmails().size(), flavor.displayName());
            core.restartForChange(running, "users changed in a Shadowsocks inbound");
        } else if (running == null) {
            users.putAll(diff);
        } else {
            unreachable = applyLive(running, diff, problems);
        }
        log.atLevel(fullSet ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                .log("user sync: {} changes for {} users in {} ms ({} users compared in {} ms)", diff.changes().size(),
                        diff.changedEmails().size(), (System.nanoTime() - began) / 1_000_000, given.size(),
                        (compared - began) / 1_000_000);
        return new Result(problems, unreachable);
    }

    /** Applies the diff live; returns whether the core stopped answering meanwhile. */
    private boolean applyLive(CoreSession running, UserDiff diff, SyncProblems problems) {
        List<LiveUserUpdater.Outcome> outcomes;
        try {
            outcomes = new LiveUserUpdater(running.api()).apply(diff.changes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while syncing users", e);
        }
        boolean unreachable = false;
        for (LiveUserUpdater.Outcome outcome : outcomes) {
            if (outcome.coreUnreachable()) {
                if (!unreachable) {
                    log.warn("the core stopped answering during a user sync: {}", outcome.errorText());
                }
                // the wanted state goes into the table; the restart renders it into the new core
                users.record(outcome.change(), true, outcome.change().added() != null);
                unreachable = true;
            } else {
                users.record(outcome.change(), outcome.removed(), outcome.added());
                if (outcome.error() != null) {
                    problems.refused(outcome);
                }
            }
        }
        if (unreachable) {
            core.unreachable(running);
        }
        return unreachable;
    }
}
