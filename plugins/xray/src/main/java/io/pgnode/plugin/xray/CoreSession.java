package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.lifeline.CoreLifeline;
import io.pgnode.plugin.xray.lifeline.CoreRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One started core: its process, the API client connected to it, the lifeline that ends it should the node die,
 * and its record in the work directory. Replaced as a whole on restart, so that whoever holds a session talks to
 * one and the same core.
 *
 * @param apiPort the loopback port of its API (its latency-probe inbound listens on the same port at another
 *     loopback address)
 * @param lifeline empty when the sidecar could not be started (the core may then outlive the node)
 * @param record empty when the core could not be recorded
 * @param workDirectory where the record is
 */
record CoreSession(CoreProcess process, CoreApiClient api, int apiPort, Optional<CoreLifeline> lifeline,
        Optional<CoreRecord> record, Path workDirectory) {

    CoreSession {
        requireNonNull(process, "process is null");
        requireNonNull(api, "api is null");
        requireNonNull(lifeline, "lifeline is null");
        requireNonNull(record, "record is null");
        requireNonNull(workDirectory, "workDirectory is null");
    }

    /**
     * Closes the API channel and stops the process (TERM, then KILL after {@code grace}; zero: KILL at once),
     * then releases the lifeline and removes the record.
     */
    void stop(Duration grace) {
        api.close();
        process.stop(grace);
        ended();
    }

    /** The process is gone (stopped, or it exited): nothing is left to guard or to find at the next start. */
    void ended() {
        lifeline.ifPresent(CoreLifeline::release);
        record.ifPresent(r -> r.removeFrom(workDirectory));
    }
}
