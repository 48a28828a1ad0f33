package io.pgnode.host.plugin;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendFactory;
import java.util.Set;

/**
 * One backend factory found in a plugin at boot, with what the host needs to call it safely. Its name, type
 * and setting names are read once, so a misbehaving factory cannot change them later.
 */
public final class BackendPlugin {

    private final String pluginId;
    private final String pluginVersion;
    private final String archive;
    private final BackendFactory factory;
    private final PluginCalls calls;
    private final String name;
    private final int backendType;
    private final Set<String> settingNames;
    private final Set<String> secretSettingNames;

    BackendPlugin(String pluginId, String pluginVersion, String archive, BackendFactory factory,
            ClassLoader classLoader) {
        this.pluginId = requireNonNull(pluginId, "pluginId is null");
        this.pluginVersion = requireNonNull(pluginVersion, "pluginVersion is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.factory = requireNonNull(factory, "factory is null");
        PluginCalls reading = new PluginCalls("plugin '" + pluginId + "'", classLoader);
        this.name = reading.call("naming its backend", factory::name);
        this.backendType = reading.call("naming its backend type", factory::backendType);
        this.settingNames = Set.copyOf(reading.call("listing its settings", factory::settingNames));
        this.secretSettingNames = Set.copyOf(reading.call("listing its secret settings", factory::secretSettingNames));
        this.calls = new PluginCalls(name, classLoader);
    }

    public String pluginId() {
        return pluginId;
    }

    /** The plugin's own version (its descriptor's). */
    public String pluginVersion() {
        return pluginVersion;
    }

    /** The file in the plugins directory the plugin was loaded from. */
    public String archive() {
        return archive;
    }

    /** The backend's name, e.g. "xray": reported to the panel as core_type. */
    public String name() {
        return name;
    }

    /** The panel's backend type number it serves. */
    public int backendType() {
        return backendType;
    }

    public Set<String> settingNames() {
        return settingNames;
    }

    public Set<String> secretSettingNames() {
        return secretSettingNames;
    }

    /** A new, not yet started backend for one Start request. */
    public PluginBackend create(BackendContext context) {
        requireNonNull(context, "context is null");
        return new PluginBackend(calls.call("reading the Start request", () -> factory.create(context)), calls);
    }

    @Override
    public String toString() {
        return name + " (type " + backendType + ", plugin " + pluginId + ")";
    }
}
