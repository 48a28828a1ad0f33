package io.pgnode.host.plugin;

import io.pgnode.spi.BackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends this node can run, by the panel's backend type number. Built once at boot from the plugins
 * directory; restart the node to change plugins. Closing it stops the plugins and releases their classes.
 */
public final class BackendRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackendRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Map<Integer, BackendPlugin> byType;
    private final NodePluginManager manager;

    private BackendRegistry(Map<Integer, BackendPlugin> byType, NodePluginManager manager) {
        this.byType = Collections.unmodifiableMap(new LinkedHashMap<>(byType));
        this.manager = manager;
    }

    /**
     * Loads every plugin in the directory and registers its backend factories. Nothing a plugin does here
     * stops the node: a plugin or factory that fails is logged with its cause and skipped.
     *
     * @param nodeVersion the node's version, checked against a plugin's {@code Plugin-Requires}
     */
    public static BackendRegistry load(Path pluginsDirectory, String nodeVersion) {
        if (!Files.isDirectory(pluginsDirectory)) {
            log.warn("The plugins directory {} does not exist (PLUGINS_DIR); no backend can be started",
                    pluginsDirectory);
            return new BackendRegistry(Map.of(), null);
        }
        NodePluginManager manager = new NodePluginManager(pluginsDirectory);
        manager.setSystemVersion(nodeVersion);
        manager.loadPlugins();
        manager.startPlugins();
        Map<Integer, BackendPlugin> byType = new LinkedHashMap<>();
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() != PluginState.STARTED) {
                Throwable failure = plugin.getFailedException();
                log.warn("Plugin '{}' skipped ({}){}", plugin.getPluginId(), plugin.getPluginState(),
                        failure == null ? "" : ": " + PluginFailures.describe(failure));
                continue;
            }
            for (String className : manager.getExtensionClassNames(plugin.getPluginId())) {
                register(manager, plugin, className, byType);
            }
        }
        if (byType.isEmpty()) {
            log.warn("No backend plugin in {}; the node answers but cannot start a backend", pluginsDirectory);
        }
        return new BackendRegistry(byType, manager);
    }

    private static void register(
            NodePluginManager manager, PluginWrapper plugin, String className, Map<Integer, BackendPlugin> byType) {
        String pluginId = plugin.getPluginId();
        BackendPlugin backend;
        try {
            Class<?> extensionClass = plugin.getPluginClassLoader().loadClass(className);
            if (!BackendFactory.class.isAssignableFrom(extensionClass)) {
                return; // an extension of some other extension point
            }
            Object factory = manager.getExtensionFactory().create(extensionClass);
            backend = new BackendPlugin(pluginId, (BackendFactory) factory, plugin.getPluginClassLoader());
        } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
            log.warn("Plugin '{}': backend {} skipped: {}", pluginId, className, PluginFailures.describe(e));
            log.debug("Why {} could not be loaded", className, e);
            return;
        }
        if (!NAME.matcher(backend.name()).matches() || backend.backendType() < 0) {
            log.warn("Plugin '{}': backend {} skipped: its name must be lower case letters, digits and dashes and "
                    + "its type not negative", pluginId, backend);
            return;
        }
        BackendPlugin existing = byType.get(backend.backendType());
        if (existing != null) {
            log.warn("Plugin '{}': backend {} skipped: type {} is already served by {}", pluginId, backend,
                    backend.backendType(), existing);
            return;
        }
        byType.put(backend.backendType(), backend);
        log.info("Backend registered: {} from {} {}", backend, pluginId, plugin.getDescriptor().getVersion());
    }

    /** The backend for a type number, if a plugin serves it. */
    public Optional<BackendPlugin> lookup(int backendType) {
        return Optional.ofNullable(byType.get(backendType));
    }

    /** Every registered backend. */
    public Collection<BackendPlugin> all() {
        return byType.values();
    }

    /** "xray (type 0), wireguard (type 1)" or "none": for messages about an unknown type. */
    public String describe() {
        if (byType.isEmpty()) {
            return "none";
        }
        return byType.values().stream()
                .map(b -> b.name() + " (type " + b.backendType() + ")")
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        if (manager != null) {
            // unloading stops each plugin first; pf4j 3.15's stopPlugins() trips over its own list
            manager.unloadPlugins();
        }
    }
}
