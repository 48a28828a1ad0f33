package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;

/** What tests and the benchmarks read from a config the node rendered. */
public final class RenderedConfig {

    private RenderedConfig() {}

    /** The port of the node's API inbound: the inbound the first routing rule sends to the API. */
    public static int apiPort(JsonNode config) {
        String tag = config.path("routing").path("rules").path(0).path("inboundTag").path(0).asText();
        for (JsonNode inbound : config.path("inbounds")) {
            if (inbound.path("tag").asText().equals(tag)) {
                return inbound.path("port").asInt();
            }
        }
        throw new IllegalArgumentException("the config has no API inbound " + tag);
    }
}
