package io.pgnode.plugin.xray;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The two Xray-compatible cores. Their API messages have the same fields; what differs is the proto
 * package prefix (service names and TypedMessage type strings), the Shadowsocks cipher numbers, the
 * command line and a few abilities (XRAY-API.md §2, §5.4, §9, §10).
 */
enum CoreFlavor {
    XRAY("Xray", "xray.", List.of("run", "-c", "stdin:"), List.of("run", "-test", "-c", "stdin:"), true, true,
            Map.of("aes-128-gcm", 5, "aes-256-gcm", 6, "chacha20-poly1305", 7, "xchacha20-poly1305", 8)),
    V2FLY("V2Ray", "v2ray.core.", List.of("-config", "stdin:"), List.of("-test", "-config", "stdin:"), false, false,
            Map.of("aes-128-gcm", 1, "aes-256-gcm", 2, "chacha20-poly1305", 3, "none", 4));

    private final String displayName;
    private final String packagePrefix;
    private final List<String> stdinArguments;
    private final List<String> testArguments;
    private final boolean onlineStats;
    private final boolean liveShadowsocks;
    private final Map<String, Integer> cipherNumbers;

    CoreFlavor(String displayName, String packagePrefix, List<String> stdinArguments, List<String> testArguments,
            boolean onlineStats, boolean liveShadowsocks, Map<String, Integer> cipherNumbers) {
        this.displayName = displayName;
        this.packagePrefix = packagePrefix;
        this.stdinArguments = stdinArguments;
        this.testArguments = testArguments;
        this.onlineStats = onlineStats;
        this.liveShadowsocks = liveShadowsocks;
        this.cipherNumbers = cipherNumbers;
    }

    /** The name the core prints first in its version line: "Xray" or "V2Ray". */
    String displayName() {
        return displayName;
    }

    /** Full gRPC service name, e.g. {@code xray.app.stats.command.StatsService}. */
    String statsService() {
        return packagePrefix + "app.stats.command.StatsService";
    }

    /** Full gRPC service name, e.g. {@code v2ray.core.app.proxyman.command.HandlerService}. */
    String handlerService() {
        return packagePrefix + "app.proxyman.command.HandlerService";
    }

    /**
     * The API services the node needs: HandlerService and StatsService; on Xray also RoutingService (routing
     * control) and, when the config runs an observatory, ObservatoryService (its latency results). v2fly 4.34 has
     * neither of the two.
     */
    List<String> apiServices(com.fasterxml.jackson.databind.JsonNode config) {
        if (this != XRAY) {
            return List.of("HandlerService", "StatsService");
        }
        if (config.path("observatory").isObject() || config.path("burstObservatory").isObject()) {
            return List.of("HandlerService", "StatsService", "RoutingService", "ObservatoryService");
        }
        return List.of("HandlerService", "StatsService", "RoutingService");
    }

    /** A TypedMessage type string for a message below the core's package, e.g. {@code proxy.vless.Account}. */
    String typeName(String relativeName) {
        return packagePrefix + relativeName;
    }

    /** Arguments after the executable that make the core read its JSON config from stdin. */
    List<String> stdinArguments() {
        return stdinArguments;
    }

    /**
     * Arguments that make the core test the JSON config on its stdin and exit: 0 and {@code Configuration OK.}, or
     * non-zero with its reason (XRAY-API.md §9). v2fly has no {@code run} command: {@code v2ray run -test} would
     * start serving.
     */
    List<String> testArguments() {
        return testArguments;
    }

    /** Whether the core tracks online users (GetStatsOnline, GetStatsOnlineIpList): Xray only. */
    boolean hasOnlineStats() {
        return onlineStats;
    }

    /** Whether this core can add and remove a user of the given protocol through AlterInbound. */
    boolean canAlterLive(InboundProtocol protocol) {
        return protocol != InboundProtocol.SHADOWSOCKS || liveShadowsocks;
    }

    /** Whether this core knows the protocol at all (Shadowsocks 2022 and Hysteria are Xray's). */
    boolean supports(InboundProtocol protocol) {
        return this == XRAY || (protocol != InboundProtocol.SHADOWSOCKS_2022 && protocol != InboundProtocol.HYSTERIA);
    }

    /**
     * The core's CipherType number for a classic Shadowsocks method name, or empty for a method this core
     * does not know. Accepts the aliases the cores' JSON loaders accept.
     */
    Optional<Integer> cipherNumber(String method) {
        return Optional.ofNullable(cipherNumbers.get(canonicalCipher(method)));
    }

    private static String canonicalCipher(String method) {
        String m = method.trim().toLowerCase(Locale.ROOT);
        switch (m) {
            case "aead_aes_128_gcm":
                return "aes-128-gcm";
            case "aead_aes_256_gcm":
                return "aes-256-gcm";
            case "aead_chacha20_poly1305":
            case "chacha20-ietf-poly1305":
                return "chacha20-poly1305";
            case "aead_xchacha20_poly1305":
            case "xchacha20-ietf-poly1305":
                return "xchacha20-poly1305";
            case "plain":
                return "none";
            default:
                return m;
        }
    }
}
