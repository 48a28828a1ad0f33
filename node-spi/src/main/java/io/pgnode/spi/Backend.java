package io.pgnode.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One running proxy core, created by a {@link BackendFactory} for one Start request and closed when the
 * panel stops it or another Start replaces it.
 *
 * <p>Threading: the host serializes {@link #start()} and {@link #close()}; every other method may be called
 * concurrently from many threads while the backend runs and must be safe for that.
 *
 * <p>Errors are {@link BackendException}s. Methods marked optional have defaults that throw
 * {@link BackendException#unsupported(String)}, which the panel sees as "not implemented", or that do
 * nothing where doing nothing is a correct, if lesser, answer.
 *
 * <p>Usage: the node owns the traffic the panel has not collected yet. A backend answers {@link #stats} with
 * what its core counts now; the node adds what it holds in its ledger. {@link #drainUsage} moves the core's
 * counters into that ledger (the node calls it; a backend also drains before it restarts its own core), so
 * that traffic outlives the core, the backend and the node's process.
 */
public interface Backend extends AutoCloseable {

    /**
     * Checks, without serving, that {@link #start()} can run this config: e.g. the core's own test mode. The node
     * calls it before it stops the running backend for this one, so that a config the core rejects leaves the
     * running backend serving. Optional; the default checks nothing beyond what
     * {@link BackendFactory#create(BackendContext)} did.
     *
     * @throws BackendException {@code INVALID_CONFIG} with the core's own first error line (no stack dumps)
     */
    default void checkConfig() {}

    /**
     * Starts the core with the context's config and users and returns once it serves traffic.
     *
     * @throws BackendException {@code INVALID_CONFIG} when the core rejects the config, {@code FAILURE}
     *     when it cannot be started (missing executable, timeout); the message should carry the core's
     *     own words
     */
    void start();

    /**
     * Stops the core and frees everything the backend holds (processes, ports, threads). Idempotent and
     * never throws; called even when {@link #start()} failed.
     */
    @Override
    void close();

    /**
     * Optional: stops serving for a while (the core ends and frees its ports) but keeps the users and every other
     * part of the backend's state, so that {@link #resume()} brings it back as it was. The node suspends the
     * running backend before it starts one that replaces it, resumes it when that one fails to start, and closes
     * it otherwise. The default answers false: the node then closes the backend first and cannot bring it back.
     *
     * @return whether the backend is suspended now
     */
    default boolean suspend() {
        return false;
    }

    /**
     * Serves again after {@link #suspend()}, with the users and state it held.
     *
     * @throws BackendException {@code FAILURE} when the core does not come back
     */
    default void resume() {
        throw BackendException.unsupported("resuming after a suspend");
    }

    /** Whether the core is up. False before {@link #start()}, after {@link #close()} and while restarting. */
    boolean isRunning();

    /** The core's version as a plain string, e.g. {@code "26.7.28"}. Known once {@link #start()} returned. */
    String coreVersion();

    /**
     * Adds, updates or removes one user. A user with no inbounds is removed from every inbound; otherwise
     * the user ends up in exactly the listed inbounds with exactly the given credentials. The same user sent
     * again changes nothing (and calls nothing in the core).
     *
     * @throws UserSyncException for credentials the core cannot take, or a change the core refused
     */
    void syncUser(User user);

    /**
     * Makes the given users the whole user set: users not in the collection are removed. A good backend
     * applies only the difference so that unchanged users keep their connections; the same set sent again changes
     * nothing. Users the panel sent with credentials the backend cannot take are skipped and stay as they were.
     *
     * @throws UserSyncException naming the users that were skipped and the changes the core refused, after the
     *     others were applied
     */
    void replaceUsers(Collection<User> users);

    /**
     * Applies a partial set: each given user is synced as by {@link #syncUser(User)}; users not mentioned
     * are left alone. The default does exactly that, one by one.
     */
    default void updateUsers(Collection<User> users) {
        for (User user : users) {
            syncUser(user);
        }
    }

    /**
     * Traffic counters as the core counts them now: what was not handed over by {@link #drainUsage} yet (the node
     * adds its ledger to the answer). With {@link StatQuery#reset()} the answer holds the values before the reset
     * and the counters restart from zero. A single target (user, inbound, outbound) the backend knows answers both
     * directions, zero without traffic.
     *
     * @throws BackendException {@code NOT_FOUND} when a named user, inbound or outbound has no counters
     */
    List<Stat> stats(StatQuery query);

    /**
     * The same answer as {@link #stats(StatQuery)}, handed to {@code sink} one stat at a time: the node calls
     * this one and encodes each stat as it comes, so that a poll of 100,000 users (200,000 stats) is never a
     * list on either side. The default hands over the list {@link #stats(StatQuery)} builds; override it when
     * the counters can be read one by one. Hand every stat over before returning; a failure may come after
     * some stats were handed over (the node then answers the failure, never the part).
     *
     * @throws BackendException as {@link #stats(StatQuery)}
     */
    default void stats(StatQuery query, Consumer<Stat> sink) {
        stats(query).forEach(sink);
    }

    /**
     * Moves the traffic the core counted since the last hand-over into the node's ledger: reads the counters of
     * these owners with reset and hands each non-zero one to {@link BackendContext#usage()}. The node calls it
     * every few seconds when no poll collected the counters, before Stop, before a Start that replaces this
     * backend and at its own shutdown; a backend should also drain before it restarts its core. Safe to call
     * concurrently with {@link #stats}: every byte goes either into the answer or into the ledger, once.
     * Optional; the default hands over nothing (traffic the panel did not poll is then lost with the core).
     *
     * @param owners whose counters to drain
     */
    default void drainUsage(Set<TrafficOwner> owners) {}

    /**
     * Optional: how many distinct source IPs the user is connected from now.
     *
     * @throws BackendException {@code NOT_FOUND} when the core does not know the user as online
     */
    default long onlineCount(String email) {
        throw BackendException.unsupported("online user statistics");
    }

    /**
     * Optional: the user's source IPs with the time each was last seen (Unix seconds).
     *
     * @throws BackendException {@code NOT_FOUND} when the core does not know the user as online
     */
    default Map<String, Long> onlineIps(String email) {
        throw BackendException.unsupported("online IP lists");
    }

    /** Optional: the core's own runtime figures (memory, GC, uptime). */
    default RuntimeStats runtimeStats() {
        throw BackendException.unsupported("core runtime statistics");
    }

    /**
     * Optional: measured latency of the outbounds.
     *
     * @param outboundName one outbound's tag, or empty for all of them
     */
    default List<OutboundLatency> outboundLatencies(String outboundName) {
        throw BackendException.unsupported("outbound latency");
    }

    /** Optional: control over the core's routing rules and balancers; see {@link Routing}. */
    default Routing routing() {
        throw BackendException.unsupported("routing control");
    }
}
