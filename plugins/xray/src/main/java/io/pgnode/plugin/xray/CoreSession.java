package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One started core: its process and the API client connected to it. Replaced as a whole on restart, so
 * that whoever holds a session talks to one and the same core.
 */
record CoreSession(CoreProcess process, CoreApiClient api) {

    CoreSession {
        requireNonNull(process, "process is null");
        requireNonNull(api, "api is null");
    }

    /** Closes the API channel and stops the process (TERM, then KILL after {@code grace}). */
    void stop(Duration grace) {
        api.close();
        process.stop(grace);
    }
}
