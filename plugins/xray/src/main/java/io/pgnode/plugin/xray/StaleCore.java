package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.lifeline.CoreRecord;
import io.pgnode.plugin.xray.lifeline.ProcessIdentity;
import io.pgnode.spi.BackendException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A core an earlier run of the node left running: its lifeline could not end it (the sidecar was stopped or
 * killed with the node). Found by the {@link CoreRecord} in the work directory at the next start, before a new
 * core is started: if its API still answers, its counters go into the node's usage ledger, then it is ended (its
 * lifeline too). A recorded process that is gone, or whose PID now belongs to another process (another start
 * time), is left alone; the record is dropped either way.
 */
final class StaleCore {

    private static final Logger log = LoggerFactory.getLogger(StaleCore.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private StaleCore() {}

    /**
     * Ends the core recorded in {@code workDirectory}, if it still runs, after draining it into {@code usage}.
     *
     * @param grace how long it may take to exit after TERM before it is killed
     * @return the core that was ended, if there was one
     */
    static Optional<ProcessIdentity> endIfAny(Path workDirectory, CoreApiConnector connector, UsageDrain usage,
            Duration grace) {
        requireNonNull(usage, "usage is null");
        Optional<CoreRecord> found = CoreRecord.readFrom(workDirectory);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        CoreRecord record = found.get();
        Optional<ProcessIdentity> ended = Optional.empty();
        if (record.core().isRunning()) {
            log.warn("a core of an earlier run of the node still runs (pid {}, {}, API port {}): collecting its"
                    + " counters and ending it before a new core starts", record.core().pid(), record.executable(),
                    record.apiPort());
            drain(record, connector, usage);
            end(record.core(), grace);
            ended = Optional.of(record.core());
        }
        record.lifeline().filter(ProcessIdentity::isRunning).ifPresent(lifeline -> end(lifeline, Duration.ZERO));
        record.removeFrom(workDirectory);
        return ended;
    }

    private static void drain(CoreRecord record, CoreApiConnector connector, UsageDrain usage) {
        if (!usage.hasLedger()) {
            log.warn("this node keeps no usage ledger: the traffic the earlier core counted is lost with it");
            return;
        }
        CoreFlavor flavor;
        try {
            flavor = CoreFlavor.valueOf(record.flavor());
        } catch (IllegalArgumentException e) {
            log.warn("the earlier core's record names no known flavor ({}); its counters are lost", record.flavor());
            return;
        }
        UsageDrain drain = usage.forNodeInbounds(record.nodeInboundTags());
        try (CoreApiClient api = new CoreApiClient(connector.open(record.apiPort()), flavor)) {
            api.sysStats(PROBE_TIMEOUT);
            long bytes = drain.drain(api, UsageDrain.ALL);
            log.info("handed {} bytes the earlier core (pid {}) counted over to the node's usage ledger", bytes,
                    record.core().pid());
        } catch (BackendException e) {
            log.warn("the earlier core (pid {}) does not answer on its API port {}; the traffic it counted is lost: {}",
                    record.core().pid(), record.apiPort(), e.getMessage());
        }
    }

    /**
     * TERM, then KILL after {@code grace} (at once for zero: a stopped process does not act on TERM). Waits by
     * looking at the process itself: it is not this JVM's child, and once killed it may stay a zombie until its
     * new parent reaps it, which {@link ProcessHandle#onExit()} would take for alive.
     */
    private static void end(ProcessIdentity process, Duration grace) {
        Optional<ProcessHandle> handle = process.handle();
        if (handle.isEmpty()) {
            return;
        }
        if (!grace.isZero()) {
            handle.get().destroy();
            if (awaitEnd(process, grace)) {
                return;
            }
        }
        handle.get().destroyForcibly();
        if (!awaitEnd(process, Duration.ofSeconds(5))) {
            log.warn("the earlier process {} did not end after KILL", process.pid());
        }
    }

    private static boolean awaitEnd(ProcessIdentity process, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (process.isRunning()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !process.isRunning();
            }
        }
        return true;
    }
}
