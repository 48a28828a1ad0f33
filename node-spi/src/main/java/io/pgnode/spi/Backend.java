package io.pgnode.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One running proxy core, created by a {@link BackendFactory} for one Start request and closed when the
 * panel stops it or another Start replaces it.
 *
 * <p>Threading: the host serializes {@link #start()} and {@link #close()}; every other method may be called
 * concurrently from many threads while the backend runs and must be safe for that.
 *
 * <p>Errors are {@link BackendException}s. Methods marked optional have defaults that throw
 * {@link BackendException#unsupported(String)}, which the panel sees as "not implemented".
 */
public interface Backend extends AutoCloseable {

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

    /** Whether the core is up. False before {@link #start()}, after {@link #close()} and while restarting. */
    boolean isRunning();

    /** The core's version as a plain string, e.g. {@code "26.7.28"}. Known once {@link #start()} returned. */
    String coreVersion();

    /**
     * Adds, updates or removes one user. A user with no inbounds is removed from every inbound; otherwise
     * the user ends up in exactly the listed inbounds with exactly the given credentials.
     *
     * @throws BackendException {@code INVALID_USER} for credentials the core cannot take
     */
    void syncUser(User user);

    /**
     * Makes the given users the whole user set: users not in the collection are removed. A good backend
     * applies only the difference so that unchanged users keep their connections.
     *
     * @throws BackendException {@code INVALID_USER} naming the users that were skipped; the others are
     *     applied
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
     * Traffic counters. With {@link StatQuery#reset()} the answer holds the values before the reset and
     * the counters restart from zero.
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
}
