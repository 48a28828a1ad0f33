package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendContext;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link BackendContext} as the node builds it, for driving the backend through the SPI: collects the log lines,
 * and keeps a usage ledger (what the backend hands over, summed per owner, name and direction).
 */
final class TestingBackendContext implements BackendContext {

    private final String config;
    private final List<User> users;
    private final Map<String, String> settings;
    private final Path workDirectory;
    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> ledger = new ConcurrentHashMap<>();

    TestingBackendContext(String config, List<User> users, Map<String, String> settings, Path workDirectory) {
        this.config = requireNonNull(config, "config is null");
        this.users = List.copyOf(users);
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
        return Set.of();
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

    @Override
    public UsageSink usage() {
        return (owner, name, direction, bytes) -> {
            if (bytes > 0) {
                ledger.merge(key(owner, name, direction), bytes, Long::sum);
            }
        };
    }

    /** What the ledger holds for one counter. */
    long ledger(TrafficOwner owner, String name, String direction) {
        return ledger.getOrDefault(key(owner, name, direction), 0L);
    }

    private static String key(TrafficOwner owner, String name, String direction) {
        return owner + "/" + name + "/" + direction;
    }

    List<String> logLines() {
        return List.copyOf(logLines);
    }
}
