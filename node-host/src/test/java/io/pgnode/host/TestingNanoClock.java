package io.pgnode.host;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that only the test moves ({@link #advance}), for the node's keepAlive and drain clock
 * ({@code TestingNode.builder().nanoClock(clock)}): a test of "after N seconds" moves the clock instead of
 * waiting N seconds. It also counts who read it ({@link #readsBy}), so a test can await the node's next check
 * of the time instead of guessing how long that takes.
 */
public final class TestingNanoClock implements LongSupplier {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final Map<String, AtomicLong> readsByMethod = new ConcurrentHashMap<>();

    @Override
    public long getAsLong() {
        // counted before the time is read: a read counted after an advance() saw the advanced time
        StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getMethodName).distinct().toList())
                .forEach(method -> readsByMethod.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet());
        return now.get();
    }

    /** Moves the clock forward. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock never goes back");
        }
        now.addAndGet(duration.toNanos());
    }

    /** How often a method of this name read the clock, directly or through the methods it called. */
    public long readsBy(String methodName) {
        AtomicLong reads = readsByMethod.get(methodName);
        return reads == null ? 0 : reads.get();
    }
}
