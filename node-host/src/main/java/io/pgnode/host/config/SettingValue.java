package io.pgnode.host.config;

import static java.util.Objects.requireNonNull;

/**
 * One setting as found, with where it came from, so that an error can say "REST_PORT=abc (from .env)".
 *
 * @param name the setting's name
 * @param value its raw text, never blank
 * @param origin where it was found: "the environment", a file path, or "default"
 */
public record SettingValue(String name, String value, String origin) {

    public SettingValue {
        requireNonNull(name, "name is null");
        requireNonNull(value, "value is null");
        requireNonNull(origin, "origin is null");
    }

    /** {@code NAME='value' (from origin)}, for error messages about a value that is not secret. */
    public String describe() {
        return name + "='" + value + "' (from " + origin + ")";
    }
}
