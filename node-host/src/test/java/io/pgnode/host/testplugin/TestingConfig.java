package io.pgnode.host.testplugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.spi.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The test backend's config, read with the plugin's own copy of Jackson. */
final class TestingConfig {

    private final JsonNode root;

    private TestingConfig(JsonNode root) {
        this.root = root;
    }

    static TestingConfig parse(String text) {
        if (text.isBlank()) {
            return new TestingConfig(new ObjectMapper().createObjectNode());
        }
        try {
            return new TestingConfig(new ObjectMapper().readTree(text));
        } catch (Exception e) {
            throw new BackendException(BackendException.Kind.INVALID_CONFIG,
                    "the testing backend's config is not JSON: " + e.getMessage());
        }
    }

    String coreVersion() {
        return root.path("coreVersion").asText("1.0.0-testing");
    }

    boolean abilities() {
        return root.path("abilities").asBoolean(true);
    }

    /** Traffic the fake core has counted at start: email → {uplink, downlink}; empty: the fixed answers. */
    Map<String, long[]> traffic() {
        Map<String, long[]> traffic = new TreeMap<>();
        root.path("traffic").fields().forEachRemaining(entry -> traffic.put(entry.getKey(),
                new long[] {entry.getValue().path(0).asLong(), entry.getValue().path(1).asLong()}));
        return traffic;
    }

    /** A loopback port stats answers wait on: they read one byte from it first (0: they do not wait). */
    int statsGate() {
        return root.path("statsGate").asInt(0);
    }

    /**
     * A loopback port drains wait on between taking the counters out of the fake core and handing them to the
     * ledger (0: they do not wait).
     */
    int drainGate() {
        return root.path("drainGate").asInt(0);
    }

    /** Whether the backend can be suspended and resumed. */
    boolean suspendable() {
        return root.path("suspendable").asBoolean(false);
    }

    List<String> startLogLines() {
        List<String> lines = new ArrayList<>();
        root.path("startLogLines").forEach(line -> lines.add(line.asText()));
        return lines;
    }

    /** Throws what the config asks this operation to fail with, if anything. */
    void failIfAsked(String operation) {
        String failure = root.path("fail").path(operation).asText("");
        if (failure.isEmpty()) {
            return;
        }
        if (failure.equals("RUNTIME")) {
            throw new IllegalStateException("testing backend told to break in " + operation);
        }
        throw new BackendException(BackendException.Kind.valueOf(failure), "testing backend refused " + operation);
    }
}
