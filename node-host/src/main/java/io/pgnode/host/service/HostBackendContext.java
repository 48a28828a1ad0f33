package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendContext;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the host hands a backend for one Start request. */
record HostBackendContext(
        String config,
        List<User> users,
        Set<String> excludedInbounds,
        Map<String, String> settings,
        Path workDirectory,
        LogSink logSink) implements BackendContext {

    HostBackendContext {
        requireNonNull(config, "config is null");
        users = List.copyOf(users);
        excludedInbounds = Set.copyOf(excludedInbounds);
        settings = Map.copyOf(settings);
        requireNonNull(workDirectory, "workDirectory is null");
        requireNonNull(logSink, "logSink is null");
    }

    @Override
    public String toString() {
        // the config may hold private keys and the users hold credentials
        return "HostBackendContext[" + users.size() + " users, work directory " + workDirectory + "]";
    }
}
