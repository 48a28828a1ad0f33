package io.pgnode.host.plugin;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.spi.BackendException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs plugin code the way the host promises plugins: with the plugin's class loader as the thread's context
 * class loader (libraries that look classes up through it find the plugin's), and with every failure turned
 * into a {@link NodeException} the transports can answer with. A plugin's own {@link BackendException} keeps
 * its message; anything else becomes a backend failure whose details stay in the node's log.
 */
final class PluginCalls {

    private static final Logger log = LoggerFactory.getLogger(PluginCalls.class);

    private final String backendName;
    private final ClassLoader classLoader;

    PluginCalls(String backendName, ClassLoader classLoader) {
        this.backendName = backendName;
        this.classLoader = classLoader;
    }

    /**
     * @param action what the call does, as "while <action>" reads in a message (e.g. "syncing a user")
     */
    <T> T call(String action, Supplier<T> body) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            T answer = body.get();
            if (answer == null) {
                throw new NodeException(ErrorCode.BACKEND_FAILURE,
                        "The " + backendName + " backend gave no answer while " + action + ".");
            }
            return answer;
        } catch (NodeException e) {
            throw e;
        } catch (BackendException e) {
            if (e.kind() == BackendException.Kind.FAILURE) {
                log.warn("The {} backend failed while {}: {}", backendName, action, e.getMessage());
                log.debug("Where the {} backend failed", backendName, e);
            }
            throw new NodeException(ErrorCode.of(e.kind()), e.getMessage(), e);
        } catch (RuntimeException | LinkageError e) {
            log.error("The {} backend failed unexpectedly while {}", backendName, action, e);
            throw new NodeException(ErrorCode.BACKEND_FAILURE, "The " + backendName
                    + " backend failed unexpectedly while " + action + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); the node's log has the details.", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** {@link #call} for methods without an answer. */
    void run(String action, Runnable body) {
        call(action, () -> {
            body.run();
            return Boolean.TRUE;
        });
    }
}
