package io.pgnode.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends the processes the benchmarks start, as a service manager does: TERM, then KILL after a grace period. */
final class Processes {

    private Processes() {}

    /** TERM; KILL if it has not exited within {@code grace}; its descendants are killed too. */
    static void stop(Process process, Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
