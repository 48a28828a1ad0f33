package io.pgnode.host.rest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Lets a few large request bodies in at a time (each costs several times its size in heap while it is parsed
 * and served); the others wait in a queue of exchanges, not of threads. A body holds its place from admission
 * until its exchange ends, and {@link #leave} frees it (or takes a body that still waits out of the queue).
 */
final class LargeBodyGate {

    /** A body that can be let in. */
    interface Entrant {
        /** Called once, on any thread, when the body may be received. */
        void admitted();
    }

    private final int capacity;
    private final int maxWaiting;
    private final Set<Entrant> admitted = new HashSet<>();
    private final Deque<Entrant> waiting = new ArrayDeque<>();

    LargeBodyGate(int capacity, int maxWaiting) {
        if (capacity < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("capacity must be positive and maxWaiting not negative");
        }
        this.capacity = capacity;
        this.maxWaiting = maxWaiting;
    }

    /** Admits the entrant now or queues it; false when the queue is full (nothing happens then). */
    boolean enter(Entrant entrant) {
        synchronized (this) {
            if (admitted.size() >= capacity) {
                if (waiting.size() >= maxWaiting) {
                    return false;
                }
                waiting.addLast(entrant);
                return true;
            }
            admitted.add(entrant);
        }
        entrant.admitted();
        return true;
    }

    /** The entrant is done, or no longer wants in: its place goes to the next in the queue. Idempotent. */
    void leave(Entrant entrant) {
        Entrant next;
        synchronized (this) {
            if (!admitted.remove(entrant)) {
                waiting.remove(entrant);
                return;
            }
            next = waiting.pollFirst();
            if (next == null) {
                return;
            }
            admitted.add(next);
        }
        next.admitted();
    }
}
