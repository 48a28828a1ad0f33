package io.pgnode.host.config;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where settings come from, in precedence order: the process environment, then a {@code .env} file in the
 * working directory, then the YAML file ({@code --config PATH}, else {@code conf/node.yml} in the working
 * directory when it exists). A blank value counts as not set, so {@code API_KEY=} in a {@code .env} file
 * falls through to the next source.
 */
public final class SettingSources {

    static final String DOT_ENV = ".env";
    /** The origin of values from the process environment. */
    static final String ENVIRONMENT = "the environment";
    static final Path DEFAULT_YAML = Path.of("conf", "node.yml");

    private final Path workingDirectory;
    private final Map<String, String> environment;
    private final Map<String, String> dotEnv;
    private final String dotEnvOrigin;
    private final Map<String, String> yaml;
    private final String yamlOrigin;

    private SettingSources(
            Path workingDirectory,
            Map<String, String> environment,
            Map<String, String> dotEnv,
            String dotEnvOrigin,
            Map<String, String> yaml,
            String yamlOrigin) {
        this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory is null");
        this.environment = Map.copyOf(environment);
        this.dotEnv = Map.copyOf(dotEnv);
        this.dotEnvOrigin = dotEnvOrigin;
        this.yaml = Map.copyOf(yaml);
        this.yamlOrigin = yamlOrigin;
    }

    /**
     * Reads the files once; later lookups see this snapshot.
     *
     * @param environment the process environment (injected so that tests need not touch the real one)
     * @param workingDirectory where {@code .env} and {@code conf/node.yml} are looked for, and what relative
     *     paths in settings are resolved against
     * @param configFile the YAML file given with {@code --config}; it must exist
     */
    public static SettingSources load(
            Map<String, String> environment, Path workingDirectory, Optional<Path> configFile) {
        requireNonNull(environment, "environment is null");
        Path directory = workingDirectory.toAbsolutePath().normalize();
        Path dotEnvFile = directory.resolve(DOT_ENV);
        Map<String, String> dotEnv = Files.isRegularFile(dotEnvFile) ? DotEnvFile.read(dotEnvFile) : Map.of();

        Path yamlFile;
        if (configFile.isPresent()) {
            yamlFile = directory.resolve(configFile.get());
            if (!Files.isRegularFile(yamlFile)) {
                throw new StartupException("The config file " + yamlFile + " given with --config does not exist");
            }
        } else {
            yamlFile = directory.resolve(DEFAULT_YAML);
        }
        Map<String, String> yaml = Files.isRegularFile(yamlFile) ? YamlSettingsFile.read(yamlFile) : Map.of();
        return new SettingSources(
                directory, environment, dotEnv, dotEnvFile.toString(), yaml, yamlFile.toString());
    }

    /** The setting's value from the first source that sets it. */
    public Optional<SettingValue> lookup(String name) {
        return find(environment, name, ENVIRONMENT)
                .or(() -> find(dotEnv, name, dotEnvOrigin))
                .or(() -> find(yaml, name, yamlOrigin));
    }

    /** The directory relative paths are resolved against. */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** The names the YAML file sets, to warn about ones nobody reads (typos). */
    public Set<String> yamlNames() {
        return yaml.keySet();
    }

    /** Where the YAML names came from, for that warning. */
    public String yamlOrigin() {
        return yamlOrigin;
    }

    private static Optional<SettingValue> find(Map<String, String> source, String name, String origin) {
        String value = source.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new SettingValue(name, value.strip(), origin));
    }
}
