package io.pgnode.host.plugin;

import java.nio.file.Path;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pf4j's manager for the node: plugins are jars or zips (classes/ + lib/) in one directory, each loaded in
 * an {@link IsolatingPluginClassLoader}; a plugin that cannot be loaded is logged and skipped instead of
 * stopping the others.
 */
final class NodePluginManager extends DefaultPluginManager {

    private static final Logger log = LoggerFactory.getLogger(NodePluginManager.class);

    private final HostApiClassLoader hostApi = new HostApiClassLoader(NodePluginManager.class.getClassLoader());

    NodePluginManager(Path pluginsDirectory) {
        super(pluginsDirectory);
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
            log.warn("Plugin {} skipped: {}", pluginPath, PluginFailures.describe(e));
            log.debug("Why plugin {} could not be loaded", pluginPath, e);
            return null;
        }
    }
}
