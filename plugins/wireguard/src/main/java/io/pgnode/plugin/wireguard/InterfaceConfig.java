package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgnode.spi.BackendException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The panel's WireGuard config ({@code Backend.config}), parsed and checked. The field names and defaults are the
 * upstream node's; fields this node does not know are ignored, as upstream does.
 *
 * @param interfaceName {@code interface_name}, default {@code wg0}
 * @param privateKey {@code private_key}
 * @param listenPort {@code listen_port}, default 51820 (0 or absent)
 * @param addresses {@code address}: the interface's own addresses, e.g. {@code 10.8.0.1/24}
 * @param preSharedKey {@code pre_shared_key}, applied to every peer; empty when absent or blank
 * @param peerKeepaliveSeconds {@code peer_keepalive_seconds}: the interface's keepalive towards each peer;
 *     default 25 (upstream's), 0 turns it off
 * @param latency {@code latency}: what the latency probe asks for
 */
record InterfaceConfig(String interfaceName, WireguardKey privateKey, int listenPort, List<Cidr> addresses,
        Optional<WireguardKey> preSharedKey, int peerKeepaliveSeconds, LatencyTarget latency) {

    static final String DEFAULT_INTERFACE = "wg0";
    static final int DEFAULT_PORT = 51820;
    static final int DEFAULT_KEEPALIVE = 25;
    static final URI DEFAULT_TEST_URL = URI.create("https://www.gstatic.com/generate_204");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Linux takes up to 15 bytes; these characters are safe in a file name, a socket path and an argument. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_=+-][A-Za-z0-9_.=+-]{0,14}");
    private static final int MAX_TIMEOUT_SECONDS = 60;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Where the latency probe sends its request, and how long it may take.
     *
     * @param testUrl an http or https URL
     * @param timeout at most {@value #MAX_TIMEOUT_SECONDS} seconds
     */
    record LatencyTarget(URI testUrl, Duration timeout) {
        LatencyTarget {
            requireNonNull(testUrl, "testUrl is null");
            requireNonNull(timeout, "timeout is null");
        }
    }

    InterfaceConfig {
        requireNonNull(interfaceName, "interfaceName is null");
        requireNonNull(privateKey, "privateKey is null");
        addresses = List.copyOf(addresses);
        requireNonNull(preSharedKey, "preSharedKey is null");
        requireNonNull(latency, "latency is null");
    }

    /**
     * Parses the panel's config text.
     *
     * @throws BackendException {@code INVALID_CONFIG} with one sentence naming the field; never a key's value
     */
    static InterfaceConfig parse(String text) {
        requireNonNull(text, "text is null");
        if (text.isBlank()) {
            throw invalid("the WireGuard config is empty: it needs at least a private_key");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String location = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw invalid("the WireGuard config is not valid JSON: " + e.getOriginalMessage() + location);
        }
        if (root == null || !root.isObject()) {
            throw invalid("the WireGuard config must be a JSON object such as {\"private_key\": \"...\"}");
        }
        return new InterfaceConfig(interfaceName(root), privateKey(root), listenPort(root), addresses(root),
                preSharedKey(root), keepalive(root), latency(root.get("latency")));
    }

    private static String interfaceName(JsonNode root) {
        String name = optionalString(root, "interface_name").orElse("");
        if (name.isEmpty()) {
            return DEFAULT_INTERFACE;
        }
        if (!INTERFACE_NAME.matcher(name).matches()) {
            throw invalid("interface_name \"" + name + "\" is not a usable interface name: 1 to 15 letters, digits"
                    + " or the characters - _ . = + (not starting with a dot)");
        }
        return name;
    }

    private static WireguardKey privateKey(JsonNode root) {
        String text = optionalString(root, "private_key").orElse("");
        if (text.isEmpty()) {
            throw invalid("private_key is missing: the interface needs its private key (base64 of 32 bytes, as"
                    + " `wg genkey` prints it)");
        }
        try {
            return WireguardKey.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw invalid("private_key " + e.getMessage() + " (as `wg genkey` prints it)");
        }
    }

    private static Optional<WireguardKey> preSharedKey(JsonNode root) {
        String text = optionalString(root, "pre_shared_key").orElse("").strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(WireguardKey.parse(text));
        } catch (IllegalArgumentException e) {
            throw invalid("pre_shared_key " + e.getMessage() + " (as `wg genpsk` prints it)");
        }
    }

    private static int listenPort(JsonNode root) {
        int port = optionalInt(root, "listen_port", 0, 65535, "a UDP port: 1 to 65535").orElse(0);
        return port == 0 ? DEFAULT_PORT : port;
    }

    private static int keepalive(JsonNode root) {
        return optionalInt(root, "peer_keepalive_seconds", 0, 65535, "0 (off) to 65535 seconds")
                .orElse(DEFAULT_KEEPALIVE);
    }

    private static List<Cidr> addresses(JsonNode root) {
        JsonNode node = root.get("address");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("address must be a list of the interface's addresses, e.g. [\"10.8.0.1/24\"]");
        }
        List<Cidr> addresses = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw invalid("address must be a list of strings such as \"10.8.0.1/24\"; found " + item);
            }
            try {
                addresses.add(Cidr.parse(item.asText().strip()));
            } catch (IllegalArgumentException e) {
                throw invalid("address \"" + item.asText() + "\" " + e.getMessage() + ": write it as 10.8.0.1/24 or"
                        + " fd00::1/64");
            }
        }
        return addresses;
    }

    private static LatencyTarget latency(JsonNode node) {
        if (node == null || node.isNull()) {
            return new LatencyTarget(DEFAULT_TEST_URL, DEFAULT_TIMEOUT);
        }
        if (!node.isObject()) {
            throw invalid("latency must be an object such as {\"test_url\": \"https://...\", \"timeout_seconds\": 5}");
        }
        URI url = optionalString(node, "test_url").filter(s -> !s.isBlank()).map(InterfaceConfig::testUrl)
                .orElse(DEFAULT_TEST_URL);
        Duration timeout = optionalInt(node, "timeout_seconds", 0, MAX_TIMEOUT_SECONDS,
                "1 to " + MAX_TIMEOUT_SECONDS + " seconds")
                .filter(seconds -> seconds > 0).map(Duration::ofSeconds).orElse(DEFAULT_TIMEOUT);
        return new LatencyTarget(url, timeout);
    }

    private static URI testUrl(String text) {
        try {
            URI url = new URI(text.strip());
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // the sentence below says what is expected
        }
        throw invalid("latency.test_url \"" + text + "\" is not an http or https URL");
    }

    private static Optional<String> optionalString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return Optional.of(value.asText());
    }

    private static Optional<Integer> optionalInt(JsonNode node, String field, int min, int max, String range) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            throw invalid(field + " must be a whole number, " + range + "; found " + value);
        }
        return Optional.of(value.asInt());
    }

    private static BackendException invalid(String sentence) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG, sentence);
    }

    /** Never the keys: the config is logged and shown in messages through this. */
    @Override
    public String toString() {
        return "InterfaceConfig[" + interfaceName + ", port " + listenPort + ", addresses " + addresses
                + (preSharedKey.isPresent() ? ", pre-shared key" : "") + ", keepalive " + peerKeepaliveSeconds + " s]";
    }
}
