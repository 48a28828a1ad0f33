package io.pgnode.host.service;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fans the running core's log lines out to every reader (REST {@code /logs}, gRPC {@code GetLogs}). Each
 * reader has its own bounded buffer, so a slow reader loses its oldest lines and never slows the core or the
 * other readers.
 */
public final class LogHub {

    private final int bufferSize;
    private final Set<LogSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    /** @param bufferSize lines each reader may fall behind (LOG_BUFFER_SIZE) */
    public LogHub(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1");
        }
        this.bufferSize = bufferSize;
    }

    /** Hands a text to every current reader, one line per line break in it. Never blocks. */
    public void publish(String text) {
        if (text == null) {
            return;
        }
        text.lines().forEach(line -> subscriptions.forEach(subscription -> subscription.offer(line)));
    }

    /** A reader of the lines published from now on. */
    public LogSubscription subscribe() {
        LogSubscription subscription = new LogSubscription(bufferSize, subscriptions::remove);
        subscriptions.add(subscription);
        return subscription;
    }

    /** Ends every current reader's stream: the backend stopped. */
    public void endAll() {
        for (LogSubscription subscription : subscriptions) {
            subscriptions.remove(subscription);
            subscription.end();
        }
    }

    /** How many readers are attached. */
    public int readerCount() {
        return subscriptions.size();
    }
}
