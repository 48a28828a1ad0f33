package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.NodeVersion;
import io.pgnode.host.config.Settings;
import io.pgnode.host.plugin.BackendPlugin;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.plugin.PluginFailure;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pg-node plugins}: loads the plugins through the same code as {@code run} (no port opened, no core
 * started) and reports what the node would serve, and what it would skip and why.
 */
@Command(name = "plugins",
        mixinStandardHelpOptions = true,
        description = {
            "Loads the backend plugins exactly as the node does (no port is opened, no core started) and lists "
                    + "each backend with its plugin, the backend type it serves and the settings it reads, then "
                    + "each plugin or backend that cannot be used, with the cause.",
            "Exit code 0 when every plugin loaded and at least one backend is available, else 1."
        })
final class PluginsCommand implements Callable<Integer> {

    @ParentCommand
    private PgNodeCommand parent;

    private final CommandEnvironment environment;

    PluginsCommand(CommandEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public Integer call() {
        CommandEnvironment.quietLogs();
        Settings settings = environment.settings(parent.configFile());
        PrintStream out = environment.out();
        try (BackendRegistry registry = BackendRegistry.load(settings.pluginsDir(), NodeVersion.current())) {
            boolean exists = Files.isDirectory(registry.directory());
            out.println("plugins directory " + registry.directory() + (exists ? "" : " (does not exist)"));
            for (BackendPlugin backend : registry.all()) {
                out.println("loaded " + backend.pluginId() + " " + backend.pluginVersion() + " (" + backend.archive()
                        + "): backend " + backend.name() + ", type " + backend.backendType() + "; "
                        + settingsOf(backend, settings));
            }
            for (PluginFailure failure : registry.failures()) {
                out.println("failed " + failure.archive() + ": " + failure.cause());
            }
            int backends = registry.all().size();
            int failures = registry.failures().size();
            out.println(backends == 0 ? "no backend available: the node cannot start any backend"
                    : backends + (backends == 1 ? " backend" : " backends") + " available: " + registry.describe()
                            + (failures == 0 ? "" : "; " + failures + (failures == 1 ? " failure" : " failures")));
            return backends > 0 && failures == 0 ? 0 : 1;
        }
    }

    /** "reads A, B=value, SECRET=(set, hidden)": the names it reads and the values it would get now. */
    private static String settingsOf(BackendPlugin backend, Settings settings) {
        if (backend.settingNames().isEmpty()) {
            return "reads no settings";
        }
        Map<String, String> values = settings.valuesOf(backend.settingNames());
        StringBuilder text = new StringBuilder("reads ");
        for (String name : new TreeSet<>(backend.settingNames())) {
            text.append(text.length() == "reads ".length() ? "" : ", ").append(name);
            if (values.containsKey(name)) {
                text.append('=').append(backend.secretSettingNames().contains(name) ? "(set, hidden)" : values.get(name));
            }
        }
        return text.toString();
    }
}
