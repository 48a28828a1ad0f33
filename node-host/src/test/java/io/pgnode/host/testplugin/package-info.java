/**
 * The test backend plugin: packaged by the tests into a real pf4j plugin zip (its classes plus Jackson in
 * {@code lib/}) and loaded by the host like any plugin, in its own class loader. Tests never call these
 * classes directly; they observe them through the node's API and the journal the backend writes into its work
 * directory ({@code journal.log}).
 *
 * <p>Config (the Start request's config text, JSON, may be empty):
 * <pre>
 * {"coreVersion": "9.9.9",              what coreVersion() answers (default 1.0.0-testing)
 *  "fail": {"start": "FAILURE", ...},   make an operation throw: a BackendException.Kind name, or RUNTIME
 *                                       for an IllegalStateException; operations: create, start, syncUser,
 *                                       replaceUsers, stats, onlineCount, onlineIps, runtimeStats, latency
 *  "traffic": {"email": [up, down]},   a fake core that counts this traffic once (stats with reset and drains take it)
 *  "statsGate": PORT,                   stats answers read one byte from this loopback port first
 *  "drainGate": PORT,                   drains read one byte from it between emptying the counters and the handover
 *  "abilities": false,                  leave the optional abilities to the SPI's defaults (UNSUPPORTED)
 *  "startLogLines": ["a", "b"]}         log lines emitted while starting
 * </pre>
 * Asking for the outbound latency of {@code "say:TEXT"} emits TEXT as a core log line.
 */
package io.pgnode.host.testplugin;
