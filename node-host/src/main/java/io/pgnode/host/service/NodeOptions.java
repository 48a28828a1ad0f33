package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings {@link NodeService} runs with.
 *
 * @param nodeVersion this node's version, e.g. {@code 1.0.0}
 * @param dataDir backends get their work directories under {@code <dataDir>/backends/}
 * @param logBufferSize lines each log reader may fall behind (LOG_BUFFER_SIZE)
 * @param logBacklogLines the core's last lines a new log reader gets first (LOG_BACKLOG_LINES)
 * @param keepAliveAction what an expired keep_alive does (KEEP_ALIVE_ACTION)
 * @param keepAliveCheck how often idle sessions are looked for
 * @param drainInterval a fixed time between background drains (USAGE_DRAIN_INTERVAL); empty: adapted to the
 *     cost of a drain (see {@link UsageDrainer})
 */
public record NodeOptions(String nodeVersion, Path dataDir, int logBufferSize, int logBacklogLines,
        KeepAliveAction keepAliveAction, Duration keepAliveCheck, Optional<Duration> drainInterval) {

    public NodeOptions {
        requireNonNull(nodeVersion, "nodeVersion is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(keepAliveAction, "keepAliveAction is null");
        requireNonNull(keepAliveCheck, "keepAliveCheck is null");
        requireNonNull(drainInterval, "drainInterval is null");
    }
}
