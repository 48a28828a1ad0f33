package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The panel's core config, parsed and checked once: the JSON tree (kept as sent) and the inbounds whose
 * users the plugin manages. Immutable; renderers copy what they change.
 */
final class PanelConfig {

    /**
     * Both cores accept comments in their JSON configs, so the panel's config may carry them too. Anything but a
     * comment after the config's object is refused: the cores read one value and would ignore the rest.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The separator of the core's counter names: an email holding it would share counters with other users. */
    static final String COUNTER_SEPARATOR = CounterName.SEPARATOR;

    private final ObjectNode root;
    private final Map<String, ManagedInbound> managedInbounds;
    private final Set<String> inboundTags;
    private final Set<String> outboundTags;
    /** The inbounds a user is in → their tags, one array per combination seen (see {@link #resolve}). */
    private final Map<List<ManagedInbound>, String[]> tagArrays = new ConcurrentHashMap<>();

    private PanelConfig(ObjectNode root, Map<String, ManagedInbound> managedInbounds, Set<String> inboundTags,
            Set<String> outboundTags) {
        this.root = root;
        this.managedInbounds = Collections.unmodifiableMap(managedInbounds);
        this.inboundTags = Set.copyOf(inboundTags);
        this.outboundTags = Set.copyOf(outboundTags);
    }

    /**
     * Parses the panel's config text.
     *
     * @param excludedInbounds tags the panel wants left alone: never managed
     * @throws BackendException {@code INVALID_CONFIG} with the parser's own message, or naming the part of
     *     the config that cannot be run
     */
    static PanelConfig parse(String text, Set<String> excludedInbounds) {
        requireNonNull(text, "text is null");
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw invalid("the config is not valid JSON: " + e.getOriginalMessage() + where(e.getLocation()));
        }
        if (tree == null || !tree.isObject()) {
            throw invalid("the config must be a JSON object");
        }
        ObjectNode root = (ObjectNode) tree;
        for (String section : List.of("api", "stats", "policy", "routing")) {
            if (root.has(section) && !root.get(section).isObject()) {
                throw invalid("\"" + section + "\" must be a JSON object");
            }
        }
        JsonNode inbounds = root.path("inbounds");
        if (!inbounds.isMissingNode() && !inbounds.isArray()) {
            throw invalid("\"inbounds\" must be a JSON array");
        }
        Map<String, ManagedInbound> managed = new LinkedHashMap<>();
        Set<String> tags = new HashSet<>();
        for (JsonNode inbound : inbounds) {
            if (!inbound.isObject()) {
                throw invalid("every entry of \"inbounds\" must be a JSON object");
            }
            String tag = inbound.path("tag").asText("");
            if (!tag.isEmpty() && !tags.add(tag)) {
                throw invalid("two inbounds have the tag \"" + tag + "\"");
            }
            JsonNode settings = inbound.path("settings");
            if (!settings.isMissingNode() && !settings.isObject()) {
                throw invalid("\"settings\" of inbound \"" + tag + "\" must be a JSON object");
            }
            if (tag.isEmpty() || excludedInbounds.contains(tag)) {
                continue;
            }
            JsonNode clients = settings.path("clients");
            if (!clients.isMissingNode() && !clients.isArray()) {
                throw invalid("\"settings.clients\" of inbound \"" + tag + "\" must be a JSON array");
            }
            Optional<InboundProtocol> protocol = InboundProtocol.of(inbound.path("protocol").asText(""),
                    settings.path("method").asText(""));
            protocol.ifPresent(p -> managed.put(tag, managedInbound(tag, p, inbound)));
        }
        return new PanelConfig(root, managed, tags, outboundTags(root.path("outbounds")));
    }

    /** Tags of the outbounds; the core itself judges the rest of their shape. */
    private static Set<String> outboundTags(JsonNode outbounds) {
        Set<String> tags = new HashSet<>();
        for (JsonNode outbound : outbounds) {
            String tag = outbound.path("tag").asText("");
            if (!tag.isEmpty()) {
                tags.add(tag);
            }
        }
        return tags;
    }

    private static ManagedInbound managedInbound(String tag, InboundProtocol protocol, JsonNode inbound) {
        JsonNode settings = inbound.path("settings");
        JsonNode flow = settings.path("flow");
        Optional<String> flowOverride = flow.isTextual() ? Optional.of(flow.asText()) : Optional.empty();
        return new ManagedInbound(tag, protocol, flowOverride, flowCapable(inbound.path("streamSettings")),
                settings.path("method").asText(""));
    }

    /**
     * A VLESS flow (XTLS Vision) works only over raw TCP/mKCP secured by TLS or REALITY and without HTTP
     * header obfuscation; upstream nodes drop the user's flow elsewhere, and so do we.
     */
    private static boolean flowCapable(JsonNode stream) {
        String network = stream.path("network").asText("tcp");
        String security = stream.path("security").asText("none");
        if (!Set.of("tcp", "raw", "kcp").contains(network) || !Set.of("tls", "reality").contains(security)) {
            return false;
        }
        JsonNode raw = stream.has("rawSettings") ? stream.path("rawSettings") : stream.path("tcpSettings");
        return !"http".equals(raw.path("header").path("type").asText(""));
    }

    /** Where the parser stopped; some of its errors (a nesting limit) carry no location. */
    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static BackendException invalid(String message) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG, message);
    }

    /** The panel's JSON as sent. Callers must not modify it: {@link ObjectNode#deepCopy()} first. */
    ObjectNode root() {
        return root;
    }

    /** The managed inbounds by tag, in config order. */
    Map<String, ManagedInbound> managedInbounds() {
        return managedInbounds;
    }

    /** Every inbound tag of the panel's config (managed or not). */
    Set<String> inboundTags() {
        return inboundTags;
    }

    /** Every outbound tag of the panel's config. */
    Set<String> outboundTags() {
        return outboundTags;
    }

    /**
     * The tag of the node's own API inbound: "api", or a variant when the panel's config already has an
     * inbound tagged "api". Its counters are not the panel's business.
     */
    String apiInboundTag() {
        String tag = "api";
        for (int i = 2; inboundTags.contains(tag); i++) {
            tag = "pgnode-api-" + i;
        }
        return tag;
    }

    /** The tag of the inbound of the node's latency probes: "pgnode-probe", or a variant the panel does not use. */
    String probeInboundTag() {
        String tag = "pgnode-probe";
        for (int i = 2; inboundTags.contains(tag); i++) {
            tag = "pgnode-probe-" + i;
        }
        return tag;
    }

    /** The node's own inbounds (its API's, its latency probes'): their counters are not the panel's business. */
    Set<String> nodeInboundTags() {
        return Set.of(apiInboundTag(), probeInboundTag());
    }

    /**
     * The user as the core should hold it: one account per managed inbound among the user's
     * {@code inbounds}. Tags that are unknown, excluded or of an unmanaged protocol are ignored.
     *
     * @throws InvalidCredentialsException when the user lacks or has malformed credentials for one of them
     */
    UserEntry resolve(User user, CoreFlavor flavor) {
        // in the config's order, whatever order the user lists them in: one combination, one key
        List<ManagedInbound> memberOf = new ArrayList<>(user.inbounds().size());
        for (ManagedInbound inbound : managedInbounds.values()) {
            if (user.inbounds().contains(inbound.tag())) {
                memberOf.add(inbound);
            }
        }
        // one array of tags per combination of inbounds, shared by all its users, holding the inbounds' own tags
        // (not the request's copies): with 100,000 users every per-user object counts
        String[] tags = tagArrays.computeIfAbsent(memberOf,
                inbounds -> inbounds.stream().map(ManagedInbound::tag).toArray(String[]::new));
        InboundAccount[] accounts = new InboundAccount[tags.length];
        for (int i = 0; i < accounts.length; i++) {
            accounts[i] = memberOf.get(i).accountFor(user.proxies(), flavor);
        }
        return new UserEntry(user.email(), tags, accounts);
    }

    /** Resolves many users; the invalid ones are reported by email with the reason, not resolved. */
    Resolution resolveAll(Iterable<User> users, CoreFlavor flavor) {
        List<UserEntry> entries = new ArrayList<>();
        Map<String, String> invalid = resolveEach(users, flavor, entries::add);
        return new Resolution(entries, invalid);
    }

    /**
     * Resolves the users one at a time, handing each valid one to {@code valid} as it goes (a sync of 100,000
     * users never needs them all resolved at once); answers the invalid ones, email → why, in the order given.
     */
    Map<String, String> resolveEach(Iterable<User> users, CoreFlavor flavor, Consumer<UserEntry> valid) {
        Map<String, String> invalid = new LinkedHashMap<>();
        for (User user : users) {
            if (user.email().isEmpty()) {
                invalid.put(user.email(), "the email is empty");
                continue;
            }
            if (user.email().contains(COUNTER_SEPARATOR)) {
                invalid.put(user.email(), "the email contains \"" + COUNTER_SEPARATOR
                        + "\", which the core uses to separate the parts of its counter names");
                continue;
            }
            UserEntry entry;
            try {
                entry = resolve(user, flavor);
            } catch (InvalidCredentialsException e) {
                invalid.put(user.email(), e.getMessage());
                continue;
            }
            valid.accept(entry);
        }
        return invalid;
    }

    /**
     * Users resolved for the core.
     *
     * @param entries the valid users, in the order given
     * @param invalid email → why the user was skipped
     */
    record Resolution(List<UserEntry> entries, Map<String, String> invalid) {
        Resolution {
            entries = List.copyOf(entries);
            invalid = Collections.unmodifiableMap(new LinkedHashMap<>(invalid));
        }

        /** The error naming every skipped user, or empty when all were valid. */
        Optional<UserSyncException> error() {
            SyncProblems problems = new SyncProblems();
            problems.skipped(invalid);
            return problems.toException();
        }
    }
}
