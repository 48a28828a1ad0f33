package io.pgnode.host.plugin;

import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader: the shared packages come from the host first (so that {@code BackendFactory} is
 * one type on both sides); everything else from the plugin's own classes and jars, then the JDK.
 */
final class IsolatingPluginClassLoader extends PluginClassLoader {

    private final HostApiClassLoader hostApi;

    IsolatingPluginClassLoader(PluginManager manager, PluginDescriptor descriptor, HostApiClassLoader hostApi) {
        super(manager, descriptor, hostApi);
        this.hostApi = hostApi;
    }

    @Override
    protected boolean shouldDelegateToParent(String className) {
        return hostApi.provides(className);
    }
}
