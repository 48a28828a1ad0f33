package io.pgnode.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a backend gets from the host when it is created: the panel's request and the host's services.
 * The host implements this interface; plugin tests may implement it too.
 */
public interface BackendContext {

    /** The backend config exactly as the panel sent it (for Xray: the JSON config text). */
    String config();

    /**
     * The users the backend starts with. Immutable. Take them in {@link Backend#start()}: once start returns,
     * the host drops its copy (a panel may send 100,000 users) and this answers an empty list.
     */
    List<User> users();

    /** Inbound tags the panel wants left alone: no users are injected into them. Immutable. */
    Set<String> excludedInbounds();

    /**
     * The node settings this backend declared in {@link BackendFactory#settingNames()} and that are set,
     * by name. Immutable; a missing key means "use your default".
     */
    Map<String, String> settings();

    /** A directory the backend may write to (generated files, state). It exists and outlives restarts. */
    Path workDirectory();

    /** Where the backend sends its core's log lines; the panel reads them live. */
    LogSink logSink();

    /**
     * Where the backend hands over the traffic it drains out of its core ({@link Backend#drainUsage}, and before
     * it restarts the core itself): the node's durable usage ledger. The node implements it; a plugin's test
     * context that never drains may leave the default, which refuses.
     */
    default UsageSink usage() {
        throw new UnsupportedOperationException("this context has no usage ledger");
    }
}
