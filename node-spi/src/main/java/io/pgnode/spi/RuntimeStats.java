package io.pgnode.spi;

/**
 * A core's own runtime figures, as Go runtimes report them. A core that is not written in Go fills what
 * it can and leaves the rest zero.
 *
 * @param goroutines live goroutines (or threads)
 * @param gcCycles completed GC cycles
 * @param allocBytes bytes of allocated heap objects
 * @param totalAllocBytes cumulative bytes allocated
 * @param sysBytes bytes obtained from the OS
 * @param mallocs cumulative heap objects allocated
 * @param frees cumulative heap objects freed
 * @param liveObjects heap objects alive now
 * @param pauseTotalNanos cumulative GC pause time
 * @param uptimeSeconds seconds since the core started
 */
public record RuntimeStats(
        int goroutines,
        int gcCycles,
        long allocBytes,
        long totalAllocBytes,
        long sysBytes,
        long mallocs,
        long frees,
        long liveObjects,
        long pauseTotalNanos,
        int uptimeSeconds) {}
