package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.password;
import static io.pgnode.plugin.xray.TestUsers.user;
import static io.pgnode.plugin.xray.TestUsers.uuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class XrayConfigRendererTest {

    private static final String INBOUNDS = "{\"log\":{\"loglevel\":\"warning\"},\"dns\":{\"servers\":[\"1.1.1.1\"]},"
            + "\"inbounds\":["
            + "{\"tag\":\"vmess-in\",\"port\":1001,\"protocol\":\"vmess\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"vless-in\",\"port\":1002,\"protocol\":\"vless\",\"settings\":{\"clients\":[],\"decryption\":\"none\"},"
            + "  \"streamSettings\":{\"network\":\"tcp\",\"security\":\"reality\"}},"
            + "{\"tag\":\"vless-ws\",\"port\":1003,\"protocol\":\"vless\",\"settings\":{\"decryption\":\"none\"},"
            + "  \"streamSettings\":{\"network\":\"ws\",\"security\":\"tls\"}},"
            + "{\"tag\":\"vless-fixed\",\"port\":1004,\"protocol\":\"vless\",\"settings\":{\"flow\":\"\",\"decryption\":\"none\"},"
            + "  \"streamSettings\":{\"network\":\"tcp\",\"security\":\"tls\"}},"
            + "{\"tag\":\"trojan-in\",\"port\":1005,\"protocol\":\"trojan\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"ss-in\",\"port\":1006,\"protocol\":\"shadowsocks\",\"settings\":{\"network\":\"tcp,udp\"}},"
            + "{\"tag\":\"ss128\",\"port\":1007,\"protocol\":\"shadowsocks\","
            + "  \"settings\":{\"method\":\"2022-blake3-aes-128-gcm\",\"password\":\"c2VydmVyLWtleS0xNi1ieQ==\"}},"
            + "{\"tag\":\"ss256\",\"port\":1008,\"protocol\":\"shadowsocks\","
            + "  \"settings\":{\"method\":\"2022-blake3-aes-256-gcm\",\"password\":\"x\"}},"
            + "{\"tag\":\"hy-in\",\"port\":1009,\"protocol\":\"hysteria\",\"settings\":{\"version\":2}},"
            + "{\"tag\":\"socks-in\",\"port\":1010,\"protocol\":\"socks\",\"settings\":{\"auth\":\"noauth\"}},"
            + "{\"tag\":\"private\",\"port\":1011,\"protocol\":\"vmess\",\"settings\":{\"clients\":[{\"id\":\"keep\",\"email\":\"x@y\"}]}}"
            + "],\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}],\"custom\":{\"kept\":true}}";

    @Test
    void vmessUsersGoIntoClientsWithEmailAndLevelZero() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("a@x", "vmess-in"));

        JsonNode client = clients(config, "vmess-in").get(0);
        assertThat(client.path("email").asText()).isEqualTo("a@x");
        assertThat(client.path("level").asInt(-1)).isZero();
        assertThat(client.path("id").asText()).isEqualTo(uuid("a@x"));
    }

    @Test
    void vlessKeepsTheFlowOnlyWhereTheTransportCarriesItAndAnInboundFlowOverridesIt() {
        User alice = new User("a@x", new Proxies(null, new Proxies.Vless(uuid("a"), "xtls-rprx-vision"), null, null, null,
                null), List.of("vless-in", "vless-ws", "vless-fixed"));

        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.XRAY, alice);

        assertThat(clients(config, "vless-in").get(0).path("flow").asText()).isEqualTo("xtls-rprx-vision");
        assertThat(clients(config, "vless-ws").get(0).has("flow")).as("ws cannot carry a flow").isFalse();
        assertThat(clients(config, "vless-fixed").get(0).has("flow")).as("the inbound's flow \"\" wins").isFalse();
        assertThat(clients(config, "vless-in").get(0).path("id").asText()).isEqualTo(uuid("a"));
    }

    @Test
    void anInboundFlowReplacesAUsersEmptyFlow() {
        String config = "{\"inbounds\":[{\"tag\":\"v\",\"protocol\":\"vless\",\"settings\":{\"flow\":\"xtls-rprx-vision\"}}]}";

        JsonNode rendered = render(config, Set.of(), CoreFlavor.XRAY, user("a@x", "v"));

        assertThat(clients(rendered, "v").get(0).path("flow").asText()).isEqualTo("xtls-rprx-vision");
    }

    @Test
    void trojanUsersCarryTheirPassword() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("a@x", "trojan-in"));

        assertThat(clients(config, "trojan-in").get(0).path("password").asText()).isEqualTo(password("a@x", ""));
    }

    @Test
    void shadowsocksOnXrayIsMultiUserAndOnV2flyTheSingleUserSitsInSettings() {
        JsonNode xray = render(INBOUNDS, Set.of(), CoreFlavor.XRAY, user("a@x", "ss-in"), user("b@x", "ss-in"));
        assertThat(clients(xray, "ss-in")).hasSize(2);
        assertThat(clients(xray, "ss-in").get(0).path("method").asText()).isEqualTo("aes-128-gcm");
        assertThat(clients(xray, "ss-in").get(0).path("password").asText()).isEqualTo(password("a@x", ""));

        JsonNode v2fly = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("a@x", "ss-in"), user("b@x", "ss-in"));
        JsonNode settings = inbound(v2fly, "ss-in").path("settings");
        assertThat(settings.path("email").asText()).isEqualTo("a@x");
        assertThat(settings.path("method").asText()).isEqualTo("aes-128-gcm");
        assertThat(settings.path("password").asText()).isEqualTo(password("a@x", ""));
        assertThat(settings.path("network").asText()).as("the panel's keys stay").isEqualTo("tcp,udp");
        assertThat(settings.has("clients")).isFalse();
    }

    @Test
    void shadowsocks2022KeysAreSizedForTheInboundMethod() {
        String ready16 = Base64.getEncoder().encodeToString(new byte[16]);
        User plain = new User("a@x", new Proxies(null, null, null, new Proxies.Shadowsocks("plain password", ""), null, null),
                List.of("ss128", "ss256"));
        User keyed = new User("b@x", new Proxies(null, null, null, new Proxies.Shadowsocks(ready16, ""), null, null),
                List.of("ss128", "ss256"));

        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.XRAY, plain, keyed);

        assertThat(keyBytes(clients(config, "ss128").get(0))).hasSize(16);
        assertThat(keyBytes(clients(config, "ss256").get(0))).hasSize(32);
        assertThat(clients(config, "ss128").get(1).path("password").asText()).as("a 16-byte key is used as is")
                .isEqualTo(ready16);
        assertThat(keyBytes(clients(config, "ss256").get(1))).as("too short for aes-256: derived").hasSize(32);
        assertThat(clients(config, "ss128").get(0).has("method")).isFalse();
        assertThat(inbound(config, "ss128").path("settings").path("password").asText())
                .as("the server key stays").isEqualTo("c2VydmVyLWtleS0xNi1ieQ==");
    }

    @Test
    void shadowsocks2022KeyDerivationMatchesTheSha256Prefix() throws Exception {
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                .digest("secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(Base64.getDecoder().decode(ManagedInbound.shadowsocks2022Key("secret", "2022-blake3-aes-128-gcm")))
                .isEqualTo(java.util.Arrays.copyOf(sha, 16));
        assertThat(Base64.getDecoder().decode(ManagedInbound.shadowsocks2022Key("secret", "2022-blake3-chacha20-poly1305")))
                .isEqualTo(sha);
    }

    @Test
    void hysteriaUsersCarryTheirAuth() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.XRAY, user("a@x", "hy-in"));

        assertThat(clients(config, "hy-in").get(0).path("auth").asText()).isEqualTo(password("a@x", ""));
        assertThat(inbound(config, "hy-in").path("settings").path("version").asInt()).isEqualTo(2);
    }

    @Test
    void excludedAndUnmanagedInboundsAreWrittenAsSent() throws IOException {
        JsonNode sent = PanelConfig.JSON.readTree(INBOUNDS);

        JsonNode config = render(INBOUNDS, Set.of("vmess-in"), CoreFlavor.V2FLY,
                user("a@x", "vmess-in", "socks-in", "trojan-in"));

        assertThat(inbound(config, "vmess-in")).isEqualTo(inbound(sent, "vmess-in"));
        assertThat(inbound(config, "socks-in")).isEqualTo(inbound(sent, "socks-in"));
        assertThat(clients(config, "trojan-in")).hasSize(1);
    }

    @Test
    void usersGoOnlyIntoTheInboundsTheyList() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("a@x", "vmess-in"), user("b@x", "trojan-in"));

        assertThat(emails(clients(config, "vmess-in"))).containsExactly("a@x");
        assertThat(emails(clients(config, "trojan-in"))).containsExactly("b@x");
        assertThat(clients(config, "vless-in")).isEmpty();
    }

    @Test
    void thePanelsOwnClientsStayUnlessTheNodeManagesTheSameEmail() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("a@x", "private"));
        assertThat(emails(clients(config, "private"))).containsExactly("x@y", "a@x");

        JsonNode replaced = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY, user("x@y", "private"));
        assertThat(emails(clients(replaced, "private"))).containsExactly("x@y");
        assertThat(clients(replaced, "private").get(0).path("id").asText()).isEqualTo(uuid("x@y"));
    }

    @Test
    void theApiInboundRuleAndSectionsAreAddedAndEveryOtherKeyKept() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY);

        JsonNode inbounds = config.path("inbounds");
        JsonNode api = inbounds.get(inbounds.size() - 1);
        assertThat(api.path("tag").asText()).isEqualTo("api");
        assertThat(api.path("protocol").asText()).isEqualTo("dokodemo-door");
        assertThat(api.path("listen").asText()).isEqualTo("127.0.0.1");
        assertThat(api.path("port").asInt()).isEqualTo(10085);
        assertThat(api.path("settings").path("address").asText()).isEqualTo("127.0.0.1");
        JsonNode rule = config.path("routing").path("rules").get(0);
        assertThat(rule.path("type").asText()).isEqualTo("field");
        assertThat(rule.path("inboundTag").get(0).asText()).isEqualTo("api");
        assertThat(rule.path("outboundTag").asText()).isEqualTo("api");
        assertThat(config.path("api").path("tag").asText()).isEqualTo("api");
        assertThat(texts(config.path("api").path("services"))).containsExactly("HandlerService", "StatsService");
        assertThat(config.path("stats").isObject()).isTrue();
        JsonNode level0 = config.path("policy").path("levels").path("0");
        assertThat(level0.path("statsUserUplink").asBoolean()).isTrue();
        assertThat(level0.path("statsUserDownlink").asBoolean()).isTrue();
        assertThat(level0.has("statsUserOnline")).as("v2fly has no online stats").isFalse();
        JsonNode system = config.path("policy").path("system");
        assertThat(system.path("statsInboundUplink").asBoolean()).isTrue();
        assertThat(system.path("statsInboundDownlink").asBoolean()).isTrue();
        assertThat(system.path("statsOutboundUplink").asBoolean()).isTrue();
        assertThat(system.path("statsOutboundDownlink").asBoolean()).isTrue();
        assertThat(config.path("custom").path("kept").asBoolean()).isTrue();
        assertThat(config.path("dns").path("servers").get(0).asText()).isEqualTo("1.1.1.1");
        assertThat(config.path("log").path("loglevel").asText()).isEqualTo("warning");
    }

    @Test
    void thePanelsApiPolicyAndRoutingAreMergedNotReplaced() {
        String panel = "{\"api\":{\"tag\":\"API\",\"services\":[\"LoggerService\",\"statsservice\"]},"
                + "\"stats\":{\"extra\":1},"
                + "\"policy\":{\"levels\":{\"0\":{\"handshake\":4},\"1\":{\"connIdle\":9}},\"system\":{\"statsOutboundUplink\":false}},"
                + "\"routing\":{\"domainStrategy\":\"AsIs\",\"rules\":[{\"type\":\"field\",\"outboundTag\":\"direct\",\"port\":\"53\"}]},"
                + "\"inbounds\":[{\"tag\":\"api\",\"protocol\":\"vmess\",\"settings\":{}}]}";

        JsonNode config = render(panel, Set.of(), CoreFlavor.XRAY, user("a@x", "api"));

        assertThat(config.path("api").path("tag").asText()).isEqualTo("API");
        assertThat(texts(config.path("api").path("services"))).containsExactly("LoggerService", "statsservice",
                "HandlerService", "RoutingService");
        assertThat(config.path("stats").path("extra").asInt()).isEqualTo(1);
        JsonNode level0 = config.path("policy").path("levels").path("0");
        assertThat(level0.path("handshake").asInt()).isEqualTo(4);
        assertThat(level0.path("statsUserOnline").asBoolean()).as("Xray tracks online users").isTrue();
        assertThat(config.path("policy").path("levels").path("1").path("connIdle").asInt()).isEqualTo(9);
        assertThat(config.path("policy").path("system").path("statsOutboundUplink").asBoolean()).isTrue();
        JsonNode rules = config.path("routing").path("rules");
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).path("inboundTag").get(0).asText()).as("a tag the panel did not use")
                .isEqualTo("pgnode-api-2");
        assertThat(rules.get(0).path("outboundTag").asText()).isEqualTo("API");
        assertThat(rules.get(1).path("port").asText()).isEqualTo("53");
        assertThat(config.path("routing").path("domainStrategy").asText()).isEqualTo("AsIs");
        assertThat(emails(clients(config, "api"))).containsExactly("a@x");
        assertThat(inbound(config, "pgnode-api-2").path("protocol").asText()).isEqualTo("dokodemo-door");
    }

    @Test
    void invalidJsonIsAnInvalidConfigWithTheParsersMessage() {
        assertThatThrownBy(() -> PanelConfig.parse("{\"inbounds\": [", Set.of()))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("Unexpected end-of-input");
        assertThatThrownBy(() -> PanelConfig.parse("[1]", Set.of())).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> PanelConfig.parse("{\"inbounds\":{}}", Set.of())).hasMessageContaining("\"inbounds\"");
        assertThatThrownBy(() -> PanelConfig.parse(
                "{\"inbounds\":[{\"tag\":\"a\",\"protocol\":\"vmess\"},{\"tag\":\"a\",\"protocol\":\"vless\"}]}", Set.of()))
                .hasMessageContaining("two inbounds have the tag \"a\"");
    }

    @Test
    void commentsInThePanelsJsonAreAccepted() {
        JsonNode config = render("{ // the panel's note\n \"inbounds\": [] }", Set.of(), CoreFlavor.V2FLY);

        assertThat(config.path("inbounds")).hasSize(1);
    }

    @Test
    void invalidCredentialsNameTheUserAndNeverTheSecret() {
        PanelConfig config = PanelConfig.parse(INBOUNDS, Set.of());
        User badId = new User("bad@x", new Proxies(new Proxies.Vmess("not-a-uuid-but-secret"), null, null, null, null, null),
                List.of("vmess-in"));
        User noTrojan = new User("none@x", new Proxies(new Proxies.Vmess(uuid("n")), null, null, null, null, null),
                List.of("vmess-in", "trojan-in"));

        PanelConfig.Resolution resolution = config.resolveAll(List.of(badId, noTrojan, user("ok@x", "vmess-in")),
                CoreFlavor.V2FLY);

        assertThat(resolution.entries()).extracting(UserEntry::email).containsExactly("ok@x");
        BackendException error = resolution.error().orElseThrow();
        assertThat(error.kind()).isEqualTo(BackendException.Kind.INVALID_USER);
        assertThat(error.getMessage()).contains("bad@x (vmess id is not a UUID)")
                .contains("none@x (no trojan password for inbound trojan-in)")
                .doesNotContain("not-a-uuid-but-secret");
    }

    @Test
    void usersListingTheSameInboundsInAnyOrderLandInEachOfThemWithTheirOwnCredentials() {
        JsonNode config = render(INBOUNDS, Set.of(), CoreFlavor.V2FLY,
                user("a@x", "vmess-in", "trojan-in"), user("b@x", "trojan-in", "vmess-in", "vmess-in"),
                user("c@x", "trojan-in"));

        assertThat(emails(clients(config, "vmess-in"))).containsExactlyInAnyOrder("a@x", "b@x");
        assertThat(emails(clients(config, "trojan-in"))).containsExactlyInAnyOrder("a@x", "b@x", "c@x");
        for (JsonNode client : clients(config, "vmess-in")) {
            assertThat(client.path("id").asText()).isEqualTo(uuid(client.path("email").asText()));
        }
        for (JsonNode client : clients(config, "trojan-in")) {
            assertThat(client.path("password").asText()).isEqualTo(password(client.path("email").asText(), ""));
        }
    }

    @Test
    void xrayTakesShortIdsThatV2flyRefuses() {
        PanelConfig config = PanelConfig.parse(INBOUNDS, Set.of());
        User shortId = new User("s@x", new Proxies(null, new Proxies.Vless("short-id", ""), null, null, null, null),
                List.of("vless-in"));

        assertThat(config.resolveAll(List.of(shortId), CoreFlavor.XRAY).invalid()).isEmpty();
        assertThat(config.resolveAll(List.of(shortId), CoreFlavor.V2FLY).invalid()).containsKey("s@x");
    }

    @Test
    void classicShadowsocksNeedsACipherTheCoreKnows() {
        PanelConfig config = PanelConfig.parse(INBOUNDS, Set.of());
        User xchacha = new User("c@x", new Proxies(null, null, null,
                new Proxies.Shadowsocks("pw", "xchacha20-ietf-poly1305"), null, null), List.of("ss-in"));

        assertThat(config.resolveAll(List.of(xchacha), CoreFlavor.XRAY).invalid()).isEmpty();
        assertThat(config.resolveAll(List.of(xchacha), CoreFlavor.V2FLY).invalid().get("c@x"))
                .isEqualTo("shadowsocks method 'xchacha20-ietf-poly1305' is not supported by V2Ray");
    }

    private static JsonNode render(String panelConfig, Set<String> excluded, CoreFlavor flavor, User... users) {
        PanelConfig config = PanelConfig.parse(panelConfig, excluded);
        PanelConfig.Resolution resolution = config.resolveAll(List.of(users), flavor);
        assertThat(resolution.invalid()).isEmpty();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new XrayConfigRenderer(config, flavor).write(out, 10085, resolution.entries());
            return PanelConfig.JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode inbound(JsonNode config, String tag) {
        return StreamSupport.stream(config.path("inbounds").spliterator(), false)
                .filter(i -> i.path("tag").asText().equals(tag))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no inbound " + tag));
    }

    private static JsonNode clients(JsonNode config, String tag) {
        JsonNode clients = inbound(config, tag).path("settings").path("clients");
        assertThat(clients.isArray()).as("clients of " + tag).isTrue();
        return clients;
    }

    private static List<String> emails(JsonNode clients) {
        return StreamSupport.stream(clients.spliterator(), false).map(c -> c.path("email").asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static byte[] keyBytes(JsonNode client) {
        return Base64.getDecoder().decode(client.path("password").asText());
    }
}
