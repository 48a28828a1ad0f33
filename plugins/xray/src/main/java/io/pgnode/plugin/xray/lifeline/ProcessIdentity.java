package io.pgnode.plugin.xray.lifeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as the kernel knows it: its PID and its start time (field 22 of {@code /proc/<pid>/stat}, in clock
 * ticks since boot). PIDs are reused; the pair is not, so a process found by this identity is the very process
 * it was taken from.
 *
 * @param pid the process id
 * @param startTime when it started, in clock ticks since boot
 */
public record ProcessIdentity(long pid, long startTime) {

    /** The identity of a running process, or empty when there is none with that PID (or no {@code /proc}). */
    public static Optional<ProcessIdentity> of(long pid) {
        return stat(pid).flatMap(stat -> field(stat, 22)).map(start -> new ProcessIdentity(pid, Long.parseLong(start)));
    }

    /**
     * Whether this very process still runs: a process with this PID exists, started at this time, and has not
     * ended (a zombie, ended but not yet reaped by its parent, has).
     */
    public boolean isRunning() {
        Optional<String> stat = stat(pid);
        return stat.isPresent() && field(stat.get(), 22).equals(Optional.of(Long.toString(startTime)))
                && !field(stat.get(), 3).equals(Optional.of("Z"));
    }

    /** The handle to end it with, while {@link #isRunning()}. */
    public Optional<ProcessHandle> handle() {
        return isRunning() ? ProcessHandle.of(pid) : Optional.empty();
    }

    private static Optional<String> stat(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /**
     * Field {@code n} (1-based, as proc(5) numbers them) of a stat line. The second field, the command name in
     * parentheses, may itself hold spaces and parentheses, so fields are counted from after its last ')'.
     */
    static Optional<String> field(String stat, int n) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || n < 3) {
            return Optional.empty();
        }
        String[] rest = stat.substring(close + 1).trim().split("\\s+");
        return n - 3 < rest.length ? Optional.of(rest[n - 3]) : Optional.empty();
    }
}
