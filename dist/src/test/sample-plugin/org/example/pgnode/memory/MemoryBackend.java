package org.example.pgnode.memory;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The users the panel synced, in memory; each has an uplink and a downlink counter that stay at zero. */
final class MemoryBackend implements Backend {

    private final BackendContext context;
    private final String greeting;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private volatile boolean running;

    MemoryBackend(BackendContext context, String greeting) {
        this.context = context;
        this.greeting = greeting;
    }

    @Override
    public void start() {
        context.users().forEach(this::syncUser);
        running = true;
        context.logSink().accept(greeting + " from the memory backend: " + users.size() + " users");
    }

    @Override
    public void close() {
        running = false;
        users.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public String coreVersion() {
        return "0.1.0";
    }

    @Override
    public void syncUser(User user) {
        if (user.isRemoval()) {
            users.remove(user.email());
        } else {
            users.put(user.email(), user);
        }
        context.logSink().accept(greeting + ", " + user.email() + " synced");
    }

    @Override
    public void replaceUsers(Collection<User> replacement) {
        users.clear();
        replacement.forEach(this::syncUser);
    }

    @Override
    public List<Stat> stats(StatQuery query) {
        if (query.scope() != StatQuery.Scope.USERS && query.scope() != StatQuery.Scope.USER) {
            return List.of(); // no inbounds or outbounds here
        }
        if (query.scope() == StatQuery.Scope.USER && !users.containsKey(query.name())) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "no user " + query.name());
        }
        List<Stat> stats = new ArrayList<>();
        for (String email : users.keySet()) {
            if (query.scope() == StatQuery.Scope.USERS || email.equals(query.name())) {
                stats.add(new Stat(email, "uplink", "traffic", 0));
                stats.add(new Stat(email, "downlink", "traffic", 0));
            }
        }
        return stats;
    }
}
