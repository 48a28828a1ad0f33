package io.pgnode.host;

import io.pgnode.host.service.HostBackendContext;
import io.pgnode.host.usage.UsageLedger;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.User;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The context the node hands a backend ({@link HostBackendContext}), for driving a backend through the SPI in a
 * plugin's own tests, with sinks the test can read: the core's log lines as the backend sent them, and the
 * node's usage ledger ({@link UsageLedger}) that the backend drains traffic into.
 *
 * <p>As in the node, the initial users are a view of the list given (no copy), and {@link #startReturned()}
 * drops them, as the node does once {@code Backend.start()} returned: a backend that still reads
 * {@code users()} then sees an empty list in the test as it would in production.
 * <pre>{@code
 * TestingBackendContext context = new TestingBackendContext(config, users, Set.of(), settings, workDirectory);
 * Backend backend = new MyBackendFactory().create(context);
 * backend.start();
 * context.startReturned();
 * backend.drainUsage(Set.of(TrafficOwner.USER));
 * assertThat(context.usage().peek(TrafficOwner.USER, "alice@x", Stat.DOWNLINK)).isPositive();
 * assertThat(context.logLines()).anyMatch(line -> line.startsWith("my core 1.2 started"));
 * }</pre>
 */
public final class TestingBackendContext implements BackendContext {

    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
    private final UsageLedger usage = new UsageLedger();
    private final HostBackendContext context;

    /**
     * @param config the backend config as the panel sends it
     * @param users the users of the Start request
     * @param excludedInbounds inbound tags the panel wants left alone
     * @param settings the plugin's settings that are set, by name
     * @param workDirectory the backend's own directory (it must exist)
     */
    public TestingBackendContext(String config, List<User> users, Set<String> excludedInbounds,
            Map<String, String> settings, Path workDirectory) {
        this.context = new HostBackendContext(config, users, excludedInbounds, settings, workDirectory,
                logLines::add, usage);
    }

    /** Drops the initial users, as the node does once the backend's {@code start()} returned. */
    public void startReturned() {
        context.releaseUsers();
    }

    /** Every line the backend sent to the log sink so far, oldest first. */
    public List<String> logLines() {
        return List.copyOf(logLines);
    }

    @Override
    public String config() {
        return context.config();
    }

    @Override
    public List<User> users() {
        return context.users();
    }

    @Override
    public Set<String> excludedInbounds() {
        return context.excludedInbounds();
    }

    @Override
    public Map<String, String> settings() {
        return context.settings();
    }

    @Override
    public Path workDirectory() {
        return context.workDirectory();
    }

    @Override
    public LogSink logSink() {
        return context.logSink();
    }

    /** The node's own usage ledger: read what the backend handed over with {@code peek}, {@code copy}, {@code holds}. */
    @Override
    public UsageLedger usage() {
        return usage;
    }

    @Override
    public String toString() {
        return "Testing" + context;
    }
}
