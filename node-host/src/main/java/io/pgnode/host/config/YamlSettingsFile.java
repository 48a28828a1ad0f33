package io.pgnode.host.config;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the node's YAML file: a flat map from setting name (the same UPPER_SNAKE names as the environment)
 * to a scalar. A list becomes a comma-separated value, so {@code TLS_SAN: [a, b]} works as well as
 * {@code TLS_SAN: a,b}.
 */
final class YamlSettingsFile {

    private YamlSettingsFile() {}

    static Map<String, String> read(Path file) {
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new StartupException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new StartupException(file + " is not valid YAML: " + e.getMessage().replace('\n', ' '), e);
        }
        if (document == null) {
            return Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new StartupException(file + " must be a map of SETTING_NAME: value lines");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            if (value == null) {
                continue;
            }
            if (value instanceof Map) {
                throw new StartupException(file + ": " + name + " must be a single value, not a map");
            }
            settings.put(name, value instanceof List<?> list ? joined(list) : String.valueOf(value));
        }
        return settings;
    }

    private static String joined(List<?> list) {
        return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
