package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendContext;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.UsageSink;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the host hands a backend for one Start request. The initial users are the Start request's (100,000
 * users are tens of MB): the backend takes them in {@code start()}, and {@link #releaseUsers()} then drops
 * the host's reference, so that a running backend does not keep the whole set twice.
 *
 * <p>Public for plugin tests: the node-host test-jar's {@code TestingBackendContext} is this context with sinks a
 * test can read, so a plugin's tests see exactly what the node hands it.
 */
public final class HostBackendContext implements BackendContext {

    private final String config;
    private final Set<String> excludedInbounds;
    private final Map<String, String> settings;
    private final Path workDirectory;
    private final LogSink logSink;
    private final UsageSink usage;
    private volatile List<User> users;

    public HostBackendContext(String config, List<User> users, Set<String> excludedInbounds, Map<String, String> settings,
            Path workDirectory, LogSink logSink, UsageSink usage) {
        this.config = requireNonNull(config, "config is null");
        this.users = Collections.unmodifiableList(requireNonNull(users, "users is null")); // a view: no second copy
        this.excludedInbounds = Set.copyOf(excludedInbounds);
        this.settings = Map.copyOf(settings);
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
        this.logSink = requireNonNull(logSink, "logSink is null");
        this.usage = requireNonNull(usage, "usage is null");
    }

    @Override
    public String config() {
        return config;
    }

    @Override
    public List<User> users() {
        return users;
    }

    /** After the backend started: it holds its users now; the Start request's list can go. */
    public void releaseUsers() {
        users = List.of();
    }

    @Override
    public Set<String> excludedInbounds() {
        return excludedInbounds;
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public Path workDirectory() {
        return workDirectory;
    }

    @Override
    public LogSink logSink() {
        return logSink;
    }

    @Override
    public UsageSink usage() {
        return usage;
    }

    @Override
    public String toString() {
        // the config may hold private keys and the users hold credentials
        return "HostBackendContext[" + users.size() + " users, work directory " + workDirectory + "]";
    }
}
