package io.pgnode.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's memory as the kernel counts it ({@code /proc/<pid>/status}). */
final class ProcessMemory {

    static final double MIB = 1024.0 * 1024.0;

    private ProcessMemory() {}

    /** VmRSS in bytes. */
    static long resident(long pid) {
        return field(pid, "VmRSS:");
    }

    /** VmHWM (the peak of VmRSS) in bytes. */
    static long peakResident(long pid) {
        return field(pid, "VmHWM:");
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of process " + pid, e);
        }
        throw new IllegalStateException("no " + name + " for process " + pid);
    }
}
