package io.pgnode.spi;

import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * Creates backends of one type. A plugin marks its implementation with pf4j's {@code @Extension}; the host
 * finds it once at boot and keeps it for the life of the process.
 *
 * <p>Implementations must be cheap to construct and thread-safe; all work belongs in
 * {@link #create(BackendContext)} and {@link Backend#start()}.
 */
public interface BackendFactory extends ExtensionPoint {

    /**
     * The backend's short name, e.g. {@code "xray"}. The node reports it to the panel as {@code core_type}
     * and uses it in logs. Lower case letters, digits and dashes.
     */
    String name();

    /**
     * The panel's backend type number this factory serves: {@code 0} is Xray, {@code 1} WireGuard. Third
     * parties take numbers from 100 on. Two factories with the same number: the host keeps the first and
     * logs the second as a conflict.
     */
    int backendType();

    /**
     * The names of the node settings this backend reads, e.g. {@code XRAY_EXECUTABLE_PATH}. The host looks
     * each one up in its own sources (environment, {@code .env}, YAML) and hands the ones that are set to
     * {@link BackendContext#settings()}. Settings not listed here are never passed to the plugin.
     */
    default Set<String> settingNames() {
        return Set.of();
    }

    /**
     * The subset of {@link #settingNames()} whose values are secret; the host masks them wherever it
     * prints settings.
     */
    default Set<String> secretSettingNames() {
        return Set.of();
    }

    /**
     * Builds a backend for one Start request. Must not start processes or open ports yet; that is
     * {@link Backend#start()}'s job. Should validate what it can (the config text above all) and throw
     * {@link BackendException.Kind#INVALID_CONFIG} for a config it cannot run.
     *
     * @param context what the panel asked for and what the host offers; never null
     * @return a backend that has not been started
     * @throws BackendException when the request cannot be served
     */
    Backend create(BackendContext context);
}
