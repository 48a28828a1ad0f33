package io.pgnode.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time as the kernel counts it: utime + stime of {@code /proc/<pid>/stat}, in clock ticks of
 * {@code getconf CLK_TCK} (all threads of the process, user and kernel mode).
 */
final class ProcessCpu {

    private static final double TICKS_PER_SECOND = clockTicks();

    private ProcessCpu() {}

    /** The CPU time the process has used so far, in ms. */
    static double millis(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
        // the command name (field 2) is in parentheses and may hold spaces: count the fields after its last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(fields[11]); // field 14 of proc(5)
        long stime = Long.parseLong(fields[12]); // field 15
        return (utime + stime) * 1000.0 / TICKS_PER_SECOND;
    }

    private static double clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String answer = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor() != 0) {
                throw new IllegalStateException("getconf CLK_TCK failed: " + answer);
            }
            return Double.parseDouble(answer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run getconf CLK_TCK", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking getconf CLK_TCK", e);
        }
    }
}
