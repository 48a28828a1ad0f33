package io.pgnode.host.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pf4j's manager for the node: plugins are jars or zips (classes/ + lib/) in one directory (see
 * {@link PluginArchives}), each loaded in an {@link IsolatingPluginClassLoader}; a plugin that cannot be loaded
 * is logged, recorded as a {@link PluginFailure} and skipped instead of stopping the others.
 */
final class NodePluginManager extends DefaultPluginManager {

    private static final Logger log = LoggerFactory.getLogger(NodePluginManager.class);

    private final HostApiClassLoader hostApi = new HostApiClassLoader(NodePluginManager.class.getClassLoader());
    // written while loading, from the thread that loads
    private final List<PluginFailure> loadFailures = new ArrayList<>();

    NodePluginManager(Path pluginsDirectory) {
        super(pluginsDirectory);
    }

    /** Plugins that could not be unpacked or loaded (each is skipped). */
    List<PluginFailure> loadFailures() {
        List<PluginFailure> failures = new ArrayList<>(archives().failures());
        failures.addAll(loadFailures);
        return failures;
    }

    /** The file name in the plugins directory that the plugin came from. */
    String archiveName(PluginWrapper plugin) {
        return archives().archiveName(plugin.getPluginPath());
    }

    /** Unloads every plugin and deletes what was unpacked for them. */
    void close() {
        // unloading stops each plugin first; pf4j 3.15's stopPlugins() trips over its own list
        unloadPlugins();
        archives().close();
    }

    @Override
    protected PluginRepository createPluginRepository() {
        // called by pf4j's constructor: this class's fields are not set yet
        return new PluginArchives(getPluginsRoots().get(0));
    }

    private PluginArchives archives() {
        return (PluginArchives) pluginRepository;
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return RuntimeMode.DEPLOYMENT; // the node always loads packaged plugins, whatever -Dpf4j.mode says
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new CompoundPluginLoader()
                .add(new JarPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor descriptor) {
                        return new IsolatingPluginClassLoader(pluginManager, descriptor, hostApi);
                    }
                })
                .add(new DefaultPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor descriptor) {
                        return new IsolatingPluginClassLoader(pluginManager, descriptor, hostApi);
                    }
                });
    }

    @Override
    protected PluginWrapper loadPluginFromPath(Path pluginPath) {
        try {
            return super.loadPluginFromPath(pluginPath);
        } catch (RuntimeException | LinkageError e) {
            String name = archives().archiveName(pluginPath);
            log.warn("Plugin {} skipped: {}", name, PluginFailures.describe(e));
            log.debug("Why plugin {} could not be loaded", name, e);
            loadFailures.add(new PluginFailure(name, PluginFailures.describe(e)));
            return null;
        }
    }
}
