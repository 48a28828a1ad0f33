package io.pgnode.host.plugin;

import io.pgnode.spi.BackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends this node can run, by the panel's backend type number, and the plugins that could not be
 * registered, with why. Built once at boot from the plugins directory; restart the node to change plugins.
 * Closing it stops the plugins and releases their classes.
 */
public final class BackendRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackendRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Path directory;
    private final Map<Integer, BackendPlugin> byType;
    private final List<PluginFailure> failures;
    private final NodePluginManager manager;

    private BackendRegistry(Path directory, Map<Integer, BackendPlugin> byType, List<PluginFailure> failures,
            NodePluginManager manager) {
        this.directory = directory;
        this.byType = Collections.unmodifiableMap(new TreeMap<>(byType));
        this.failures = List.copyOf(failures);
        this.manager = manager;
    }

    /**
     * Loads every plugin in the directory and registers its backend factories. Nothing a plugin does here
     * stops the node: a plugin or factory that fails is logged with its cause, listed in {@link #failures()}
     * and skipped.
     *
     * @param nodeVersion the node's version, checked against a plugin's {@code Plugin-Requires}
     */
    public static BackendRegistry load(Path pluginsDirectory, String nodeVersion) {
        if (!Files.isDirectory(pluginsDirectory)) {
            log.warn("The plugins directory {} does not exist (PLUGINS_DIR); no backend can be started",
                    pluginsDirectory);
            return new BackendRegistry(pluginsDirectory, Map.of(), List.of(), null);
        }
        NodePluginManager manager = new NodePluginManager(pluginsDirectory);
        manager.setSystemVersion(nodeVersion);
        List<PluginFailure> failures = new ArrayList<>();
        try {
            manager.loadPlugins();
            manager.startPlugins();
        } catch (PluginRuntimeException e) {
            // pf4j refuses the whole set, e.g. for plugins that depend on each other in a cycle
            String cause = "the plugins cannot be resolved: " + PluginFailures.describe(e);
            log.warn("{}: {}", pluginsDirectory, cause);
            failures.add(new PluginFailure(pluginsDirectory.getFileName().toString(), cause));
        }
        failures.addAll(manager.loadFailures());
        Map<Integer, BackendPlugin> byType = new LinkedHashMap<>();
        for (PluginWrapper plugin : manager.getPlugins()) {
            String archive = manager.archiveName(plugin);
            if (plugin.getPluginState() != PluginState.STARTED) {
                fail(failures, archive, plugin.getPluginId(), "skipped: " + whyNotStarted(plugin, nodeVersion));
                continue;
            }
            int factories = 0;
            for (String className : manager.getExtensionClassNames(plugin.getPluginId())) {
                factories += register(manager, plugin, archive, className, byType, failures) ? 1 : 0;
            }
            if (factories == 0) {
                fail(failures, archive, plugin.getPluginId(), "skipped: it holds no BackendFactory extension "
                        + "(an @Extension class listed in META-INF/extensions.idx, which pf4j's annotation "
                        + "processor writes)");
            }
        }
        if (byType.isEmpty()) {
            log.warn("No backend plugin in {}; the node answers but cannot start a backend", pluginsDirectory);
        }
        return new BackendRegistry(pluginsDirectory, byType, failures, manager);
    }

    /** Registers one extension; false when it is no backend factory (an extension of another point). */
    private static boolean register(NodePluginManager manager, PluginWrapper plugin, String archive,
            String className, Map<Integer, BackendPlugin> byType, List<PluginFailure> failures) {
        String pluginId = plugin.getPluginId();
        BackendPlugin backend;
        try {
            Class<?> extensionClass = plugin.getPluginClassLoader().loadClass(className);
            if (!BackendFactory.class.isAssignableFrom(extensionClass)) {
                return false;
            }
            Object factory = manager.getExtensionFactory().create(extensionClass);
            backend = new BackendPlugin(pluginId, plugin.getDescriptor().getVersion(), archive,
                    (BackendFactory) factory, plugin.getPluginClassLoader());
        } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
            fail(failures, archive, pluginId, "backend " + className + " skipped: " + PluginFailures.describe(e));
            log.debug("Why {} could not be loaded", className, e);
            return true;
        }
        if (!NAME.matcher(backend.name()).matches() || backend.backendType() < 0) {
            fail(failures, archive, pluginId, "backend " + backend + " skipped: its name must be lower case "
                    + "letters, digits and dashes and its type not negative");
            return true;
        }
        BackendPlugin existing = byType.get(backend.backendType());
        if (existing != null) {
            fail(failures, archive, pluginId, "backend " + backend + " skipped: type " + backend.backendType()
                    + " is already served by " + existing);
            return true;
        }
        byType.put(backend.backendType(), backend);
        log.info("Backend registered: {} from {} {}", backend, pluginId, backend.pluginVersion());
        return true;
    }

    private static void fail(List<PluginFailure> failures, String archive, String pluginId, String cause) {
        log.warn("Plugin '{}': {}", pluginId, cause);
        failures.add(new PluginFailure(archive, cause));
    }

    private static String whyNotStarted(PluginWrapper plugin, String nodeVersion) {
        Throwable failure = plugin.getFailedException();
        String requires = plugin.getDescriptor().getRequires();
        if (plugin.getPluginState() == PluginState.DISABLED) {
            if (failure != null && requires != null && !requires.isBlank()) {
                return "it needs pg-node " + requires.strip() + " and this node is " + nodeVersion;
            }
            if (failure == null) {
                return "disabled by disabled.txt or enabled.txt in the plugins directory";
            }
        }
        return failure == null ? "not started (" + plugin.getPluginState() + ")" : PluginFailures.describe(failure);
    }

    /** The backend for a type number, if a plugin serves it. */
    public Optional<BackendPlugin> lookup(int backendType) {
        return Optional.ofNullable(byType.get(backendType));
    }

    /** Every registered backend, by type number. */
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

    /** The plugins and backends that could not be registered, each with its cause. */
    public List<PluginFailure> failures() {
        return failures;
    }

    /** The directory the plugins were loaded from. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
