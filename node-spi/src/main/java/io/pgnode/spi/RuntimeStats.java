package io.pgnode.spi;

/**
 * A core's own runtime figures. The panel's message has the fields of a Go runtime (Xray and V2Ray are Go
 * programs); a backend that is not one reports what it honestly knows with {@link #of(int, long)} and leaves
 * every other figure zero, never an invented one.
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
        int uptimeSeconds) {

    /**
     * The figures of a backend that is not a Go runtime: how long it has served and how many things it holds
     * now (e.g. a WireGuard interface's peers), reported as {@code live_objects}; every Go figure is zero.
     */
    public static RuntimeStats of(int uptimeSeconds, long liveObjects) {
        return new RuntimeStats(0, 0, 0, 0, 0, 0, 0, liveObjects, 0, uptimeSeconds);
    }
}
