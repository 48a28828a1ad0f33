package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Objects;
import java.util.Set;

/**
 * What decides whether a Start asks for the core that already runs: the backend type, the config and the
 * excluded inbounds. Configs are compared as JSON (key order, spacing and comments do not matter), or as text
 * when they are not JSON.
 */
final class BackendIdentity {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final int backendType;
    private final String configText;
    private final JsonNode configJson;
    private final Set<String> excludedInbounds;

    private BackendIdentity(int backendType, String configText, JsonNode configJson, Set<String> excludedInbounds) {
        this.backendType = backendType;
        this.configText = configText;
        this.configJson = configJson;
        this.excludedInbounds = Set.copyOf(excludedInbounds);
    }

    static BackendIdentity of(StartRequest request) {
        requireNonNull(request, "request is null");
        return new BackendIdentity(request.backendType(), request.config(), json(request.config()),
                request.excludedInbounds());
    }

    /** Whether a backend started with {@code other} would run the very same core as this one. */
    boolean sameAs(BackendIdentity other) {
        if (backendType != other.backendType || !excludedInbounds.equals(other.excludedInbounds)) {
            return false;
        }
        if (configJson != null && other.configJson != null) {
            return configJson.equals(other.configJson);
        }
        return Objects.equals(configText, other.configText);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException | RuntimeException notJson) {
            return null;
        }
    }
}
