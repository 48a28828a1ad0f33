package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendContext;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link BackendContext} as the host would build it, for driving the backend through the SPI in tests.
 * Collects the core's log lines and the usage the backend hands to the node's ledger ({@link #usage()}).
 */
final class TestingBackendContext implements BackendContext {

    private final String config;
    private final List<User> users;
    private final Set<String> excludedInbounds;
    private final Map<String, String> settings;
    private final Path workDirectory;
    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
    private final TestingUsageSink usage = new TestingUsageSink();

    TestingBackendContext(String config, List<User> users, Set<String> excludedInbounds, Map<String, String> settings,
            Path workDirectory) {
        this.config = requireNonNull(config, "config is null");
        this.users = List.copyOf(users);
        this.excludedInbounds = Set.copyOf(excludedInbounds);
        this.settings = Map.copyOf(settings);
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
    }

    @Override
    public String config() {
        return config;
    }

    @Override
    public List<User> users() {
        return users;
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
        return logLines::add;
    }

    /** The node's ledger as the backend sees it: what it handed over so far. */
    @Override
    public TestingUsageSink usage() {
        return usage;
    }

    /** Every line the core printed so far. */
    List<String> logLines() {
        return List.copyOf(logLines);
    }
}
