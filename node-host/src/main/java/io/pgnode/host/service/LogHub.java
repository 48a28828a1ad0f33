package io.pgnode.host.service;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fans the running core's log lines out to every reader (REST {@code /logs}, gRPC {@code GetLogs}). Each
 * reader has its own bounded buffer, so a slow reader loses its oldest lines and never slows the core or the
 * other readers. The core's last lines are kept too, so that a new reader (the panel's log view opened right
 * after a Start) first sees what the core wrote before it came.
 */
public final class LogHub {

    private final int bufferSize;
    private final int backlogLines;
    private final Set<LogSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** The last lines published since the backend started; guarded by {@code this}. */
    private final Deque<String> backlog = new ArrayDeque<>();

    /**
     * @param bufferSize lines each reader may fall behind (LOG_BUFFER_SIZE)
     * @param backlogLines the last lines a new reader gets first (LOG_BACKLOG_LINES); 0 = none
     */
    public LogHub(int bufferSize, int backlogLines) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1");
        }
        if (backlogLines < 0) {
            throw new IllegalArgumentException("backlogLines must not be negative");
        }
        this.bufferSize = bufferSize;
        this.backlogLines = backlogLines;
    }

    /** Hands a text to every current reader, one line per line break in it. Never blocks for long. */
    public void publish(String text) {
        if (text == null) {
            return;
        }
        text.lines().forEach(this::publishLine);
    }

    private synchronized void publishLine(String line) {
        if (backlogLines > 0) {
            if (backlog.size() == backlogLines) {
                backlog.removeFirst();
            }
            backlog.addLast(line);
        }
        subscriptions.forEach(subscription -> subscription.offer(line));
    }

    /** A reader of the core's last lines, then of every line published from now on. */
    public synchronized LogSubscription subscribe() {
        LogSubscription subscription = new LogSubscription(bufferSize, subscriptions::remove);
        backlog.forEach(subscription::offer);
        subscriptions.add(subscription);
        return subscription;
    }

    /** Ends every current reader's stream and forgets the last lines: the backend stopped. */
    public synchronized void endAll() {
        backlog.clear();
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
