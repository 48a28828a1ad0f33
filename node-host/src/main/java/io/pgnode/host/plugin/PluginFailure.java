package io.pgnode.host.plugin;

import static java.util.Objects.requireNonNull;

/**
 * A plugin, or one backend of a plugin, that the node could not register.
 *
 * @param archive the file (or directory) name in the plugins directory
 * @param cause one line saying why, for the operator or the plugin's author
 */
public record PluginFailure(String archive, String cause) {

    public PluginFailure {
        requireNonNull(archive, "archive is null");
        requireNonNull(cause, "cause is null");
    }
}
