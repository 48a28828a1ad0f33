package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static io.pgnode.plugin.xray.TestingXrayRouter.messages;
import static io.pgnode.plugin.xray.TestingXrayRouter.string;
import static io.pgnode.plugin.xray.TestingXrayRouter.strings;
import static io.pgnode.plugin.xray.TestingXrayRouter.varints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingBackendContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.pgnode.plugin.xray.api.AddRuleRequest;
import io.pgnode.plugin.xray.api.GetBalancerInfoRequest;
import io.pgnode.plugin.xray.api.OverrideBalancerTargetRequest;
import io.pgnode.plugin.xray.api.RemoveRuleRequest;
import io.pgnode.plugin.xray.api.RoutingContext;
import io.pgnode.plugin.xray.api.TestRouteRequest;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.RoutingRule;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing on Xray, against the fake of its RoutingService (no Xray binary exists here): every operation reaches the
 * core as the RoutingService call it should be, and every rule field as the field number of Xray's router config,
 * read back by number ({@link TestingXrayRouter}); rules that cannot be sent live, releases without the calls, and a
 * refusal of the core change what the issue says and nothing else.
 */
class RoutingOnXrayTest {

    static final String CONFIG = "{\"log\":{\"loglevel\":\"warning\"},\"inbounds\":["
            + "{\"tag\":\"vless-in\",\"port\":2002,\"protocol\":\"vless\",\"settings\":{\"clients\":[],\"decryption\":\"none\"}}],"
            + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"},{\"tag\":\"block\",\"protocol\":\"blackhole\"},"
            + "{\"tag\":\"proxy\",\"protocol\":\"vmess\",\"settings\":{\"vnext\":[{\"address\":\"127.0.0.1\",\"port\":1,"
            + "\"users\":[{\"id\":\"b831381d-6324-4d53-ad4f-8cda48b30811\"}]}]}}],"
            + "\"routing\":{\"balancers\":[{\"tag\":\"bal\",\"selector\":[\"direct\",\"proxy\"],"
            + "\"strategy\":{\"type\":\"leastPing\"}}],"
            + "\"rules\":[{\"outboundTag\":\"block\",\"domain\":[\"geosite:category-ads\"],\"ruleTag\":\"panel-ads\"}]}}";

    private static final String EVERY_FIELD = "{\"outboundTag\": \"proxy\", \"ruleTag\": \"everything\","
            + " \"domain\": [\"example.com\", \"domain:example.org\", \"full:www.example.net\", \"regexp:^ads\\\\.\","
            + " \"keyword:tracker\", \"dotless:intra\", \"geosite:cn@ads\", \"ext:custom.dat:corp\"],"
            + " \"ip\": [\"10.0.0.0/8\", \"2001:db8::/32\", \"192.0.2.7\", \"geoip:!cn\", \"!198.51.100.0/24\","
            + " \"ext:ip.dat:office\"],"
            + " \"port\": \"53,1000-2000\", \"sourcePort\": 4321, \"network\": \"tcp,udp\","
            + " \"source\": [\"203.0.113.0/24\"], \"user\": [\"a@x\", \"b@x\"], \"inboundTag\": [\"vless-in\"],"
            + " \"protocol\": [\"http\", \"tls\"], \"attrs\": {\":method\": \"GET\", \"host\": \"example.com\"}}";

    private static final XrayBackend.Tuning FAST = new XrayBackend.Tuning(
            new CoreWatchdog.Timing(Duration.ofMillis(100), Duration.ofMillis(500), 3, Duration.ofSeconds(1)),
            Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(1));

    @TempDir
    Path dir;

    private TestingXrayApi api;
    private TestingXrayRouter router;
    private XrayBackend backend;

    @AfterEach
    void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private XrayBackend start(String versionLine, boolean routing) throws Exception {
        api = new TestingXrayApi(true, routing);
        router = api.router();
        Path core = TestingCoreExecutable.write(dir, "xray", versionLine + "\nA unified platform for anti-censorship.");
        Map<String, String> settings = Map.of("XRAY_EXECUTABLE_PATH", core.toString());
        TestingBackendContext context = new TestingBackendContext(CONFIG, List.of(user("alice@x", "vless-in")), Set.of(),
                settings, dir);
        backend = new XrayBackend(context, XraySettings.from(settings), PanelConfig.parse(CONFIG, Set.of()),
                api.connector(), FAST, "");
        backend.start();
        JsonNode config = renderedConfig(c -> true);
        api.loadUsers(config);
        router.loadRules(config);
        return backend;
    }

    private XrayBackend start() throws Exception {
        return start(TestingCoreExecutable.XRAY_VERSION.lines().findFirst().orElseThrow(), true);
    }

    /** The config the fake core read last, once it is one that {@code wanted} accepts. */
    private JsonNode renderedConfig(Predicate<JsonNode> wanted) {
        Path file = dir.resolve("config.json");
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(file) ? PanelConfig.JSON.readTree(file.toFile()) : null,
                        config -> config != null && wanted.test(config));
    }

    @Test
    void theCoreServesRoutingAndStartsWithTheNodesRulesFirstThenThePanels() throws Exception {
        start();

        JsonNode config = renderedConfig(c -> true);
        assertThat(texts(config.path("api").path("services"))).containsExactly("HandlerService", "StatsService",
                "RoutingService");
        JsonNode rules = config.path("routing").path("rules");
        assertThat(rules).hasSize(4);
        assertThat(rules.get(0).path("outboundTag").asText()).isEqualTo("api");
        assertThat(texts(rules.get(1).path("inboundTag"))).containsExactly("pgnode-probe");
        assertThat(rules.get(1).path("outboundTag").asText()).isEqualTo("direct");
        assertThat(rules.get(2).path("outboundTag").asText()).as("a blackhole is not probed").isEqualTo("proxy");
        assertThat(rules.get(3).path("ruleTag").asText()).isEqualTo("panel-ads");
        assertThat(rules.get(3).path("type").asText()).isEqualTo("field");
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"));
        assertThat(router.calls()).isEmpty();
    }

    @Test
    void anAddedRuleReachesTheCoreLiveWithEveryFieldAtXraysFieldNumbers() throws Exception {
        start();
        long pid = backend.corePid().orElseThrow();

        backend.routing().addRule(EVERY_FIELD, false);

        List<TestingXrayRouter.Call> adds = router.calls("AddRule");
        assertThat(adds).hasSize(1);
        AddRuleRequest add = (AddRuleRequest) adds.get(0).request();
        assertThat(add.getShouldAppend()).isTrue();
        assertThat(add.getConfig().getType()).isEqualTo("xray.app.router.Config");
        assertThat(TestingXrayRouter.balancersOf(add)).as("an append keeps the core's balancers").isEmpty();
        List<UnknownFieldSet> rules = TestingXrayRouter.rulesOf(add);
        assertThat(rules).hasSize(1);
        UnknownFieldSet rule = rules.get(0);
        assertThat(string(rule, 1)).as("tag").isEqualTo("proxy");
        assertThat(string(rule, 19)).as("rule_tag").isEqualTo("everything");

        List<UnknownFieldSet> domains = messages(rule, 2);
        assertThat(domains).hasSize(8);
        assertThat(domains.subList(0, 6)).extracting(d -> customDomain(d)).containsExactly(
                "0:example.com", "2:example.org", "3:www.example.net", "1:^ads\\.", "0:tracker", "1:^[^.]*intra[^.]*$");
        UnknownFieldSet geosite = messages(domains.get(6), 1).get(0);
        assertThat(List.of(string(geosite, 1), string(geosite, 2), string(geosite, 3)))
                .containsExactly("geosite.dat", "CN", "ads");
        UnknownFieldSet external = messages(domains.get(7), 1).get(0);
        assertThat(List.of(string(external, 1), string(external, 2))).containsExactly("custom.dat", "CORP");

        List<UnknownFieldSet> ips = messages(rule, 10);
        assertThat(ips).hasSize(6);
        assertThat(customCidr(ips.get(0))).isEqualTo("10.0.0.0/8 reverse=false");
        assertThat(customCidr(ips.get(1))).isEqualTo("2001:db8:0:0:0:0:0:0/32 reverse=false");
        assertThat(customCidr(ips.get(2))).isEqualTo("192.0.2.7/32 reverse=false");
        UnknownFieldSet geoip = messages(ips.get(3), 1).get(0);
        assertThat(List.of(string(geoip, 1), string(geoip, 2))).containsExactly("geoip.dat", "CN");
        assertThat(varints(geoip, 3)).as("geoip:!cn reverses").containsExactly(1L);
        assertThat(customCidr(ips.get(4))).isEqualTo("198.51.100.0/24 reverse=true");
        UnknownFieldSet office = messages(ips.get(5), 1).get(0);
        assertThat(List.of(string(office, 1), string(office, 2))).containsExactly("ip.dat", "OFFICE");

        assertThat(ranges(messages(rule, 14).get(0))).as("port_list").containsExactly("53-53", "1000-2000");
        assertThat(ranges(messages(rule, 16).get(0))).as("source_port_list").containsExactly("4321-4321");
        assertThat(varints(rule, 13)).as("networks: TCP 2, UDP 3").containsExactly(2L, 3L);
        assertThat(customCidr(messages(rule, 11).get(0))).as("source_ip").isEqualTo("203.0.113.0/24 reverse=false");
        assertThat(strings(rule, 7)).as("user_email").containsExactly("a@x", "b@x");
        assertThat(strings(rule, 8)).as("inbound_tag").containsExactly("vless-in");
        assertThat(strings(rule, 9)).as("protocol").containsExactly("http", "tls");
        assertThat(messages(rule, 15)).as("attributes").extracting(entry -> string(entry, 1) + "=" + string(entry, 2))
                .containsExactlyInAnyOrder(":method=GET", "host=example.com");

        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"),
                new RoutingRule("proxy", "everything"));
        assertThat(router.rules()).extracting(TestingXrayRouter.HeldRule::ruleTag).endsWith("panel-ads", "everything");
        assertThat(backend.corePid()).as("live: no restart").hasValue(pid);
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    void aRuleToABalancerNamesItAtField12() throws Exception {
        start();

        backend.routing().addRule("{\"balancerTag\": \"bal\", \"ruleTag\": \"spread\", \"network\": \"udp\"}", false);

        UnknownFieldSet rule = TestingXrayRouter.rulesOf((AddRuleRequest) router.calls("AddRule").get(0).request()).get(0);
        assertThat(string(rule, 12)).isEqualTo("bal");
        assertThat(string(rule, 1)).isEmpty();
        assertThat(backend.routing().rules()).last().isEqualTo(new RoutingRule("bal", "spread"));
    }

    @Test
    void badRulesAreRefusedByTheNodeAndNeverReachTheCore() throws Exception {
        start();
        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"taken\", \"inboundTag\": [\"vless-in\"]}", false);
        router.clearCalls();

        assertRefused("{not json", "not valid JSON");
        assertRefused("[{\"outboundTag\": \"direct\"}]", "one JSON object");
        assertRefused("{\"outboundTag\": \"nowhere\"}", "the config has no outbound \"nowhere\"");
        assertRefused("{\"balancerTag\": \"nobal\"}", "the config has no balancer \"nobal\"");
        assertRefused("{\"outboundTag\": \"direct\", \"ruleTag\": \"taken\", \"inboundTag\": [\"vless-in\"]}",
                "ruleTag \"taken\" exists already");
        assertRefused("{\"outboundTag\": \"direct\", \"network\": \"sctp\"}", "\"network\" has \"sctp\"");
        assertRefused("{\"outboundTag\": \"direct\", \"protocol\": [\"ftp\"]}", "\"protocol\" has \"ftp\"");
        assertRefused("{\"outboundTag\": \"direct\", \"port\": \"70000\"}", "not a port");
        assertRefused("{\"outboundTag\": \"direct\", \"port\": \"2000-1000\"}", "ends before it begins");
        assertRefused("{\"outboundTag\": \"direct\", \"ip\": [\"example.com\"]}", "neither an IP address");
        assertRefused("{\"outboundTag\": \"direct\", \"ip\": [\"10.0.0.0/33\"]}", "neither an IP address");
        assertRefused("{\"outboundTag\": \"direct\", \"domain\": [\"regexp:(\"]}", "does not compile");
        assertRefused("{\"outboundTag\": \"direct\", \"domain\": [\"\"]}", "empty entry");
        assertRefused("{\"outboundTag\": \"direct\", \"attrs\": \"attrs[':method'] == 'GET'\"}", "must be an object");
        assertRefused("{\"outboundTag\": \"direct\", \"domian\": [\"x\"]}", "knows no rule field \"domian\"");
        assertRefused("{\"outboundTag\": \"direct\", \"balancerTag\": \"bal\"}", "names both");
        assertRefused("{\"ruleTag\": \"nowhere\", \"port\": 53}", "neither an outboundTag nor a balancerTag");
        assertRefused("{\"outboundTag\": \"direct\", \"user\": []}", "no condition");

        assertThat(router.calls()).isEmpty();
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"),
                new RoutingRule("direct", "taken"));
    }

    @Test
    void aRuleTheCoreRefusesIsAnInvalidRequestInItsWordsAndChangesNothing() throws Exception {
        start();
        router.refuseNextAddRule("common/strmatcher: invalid regexp ^(?=ads) > error parsing regexp: invalid or"
                + " unsupported Perl syntax: `(?=`");

        assertThatThrownBy(() -> backend.routing().addRule("{\"outboundTag\": \"direct\", \"domain\": [\"regexp:^(?=ads)\"],"
                + " \"ruleTag\": \"bad\"}", false))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining("the core refused the rule")
                .hasMessageContaining("invalid or unsupported Perl syntax");

        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"));
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    void removalsGoLiveByTagAndARetriedOrEmptyOneIsHandled() throws Exception {
        start();
        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"tmp\", \"inboundTag\": [\"vless-in\"]}", false);
        router.clearCalls();

        backend.routing().removeRule("tmp");
        backend.routing().removeRule("tmp");

        assertThat(router.calls()).extracting(TestingXrayRouter.Call::request)
                .containsExactly(RemoveRuleRequest.newBuilder().setRuleTag("tmp").build());
        assertThat(UnknownFieldSet.parseFrom(router.calls().get(0).request().toByteString()).getField(1)
                .getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("tmp"));
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"));
        assertThat(router.rules()).extracting(TestingXrayRouter.HeldRule::ruleTag).doesNotContain("tmp");
        assertThatThrownBy(() -> backend.routing().removeRule(""))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining("needs its rule tag");
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    void replacingEveryRuleSendsTheNodesRulesTheBalancersAndTheOverridesAgain() throws Exception {
        start();
        backend.routing().overrideBalancerTarget("bal", "proxy");
        router.clearCalls();

        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"only\", \"inboundTag\": [\"vless-in\"]}", true);

        AddRuleRequest add = (AddRuleRequest) router.calls("AddRule").get(0).request();
        assertThat(add.getShouldAppend()).as("should_reset clears the core's rules").isFalse();
        List<UnknownFieldSet> rules = TestingXrayRouter.rulesOf(add);
        assertThat(rules).extracting(rule -> string(rule, 1)).containsExactly("api", "direct", "proxy", "direct");
        assertThat(strings(rules.get(0), 8)).containsExactly("api");
        assertThat(strings(rules.get(1), 8)).containsExactly("pgnode-probe");
        assertThat(customCidr(messages(rules.get(1), 11).get(0))).isEqualTo("127.77.0.1/32 reverse=false");
        assertThat(string(rules.get(3), 19)).isEqualTo("only");
        List<UnknownFieldSet> balancers = TestingXrayRouter.balancersOf(add);
        assertThat(balancers).hasSize(1);
        assertThat(string(balancers.get(0), 1)).isEqualTo("bal");
        assertThat(strings(balancers.get(0), 2)).containsExactly("direct", "proxy");
        assertThat(string(balancers.get(0), 3)).isEqualTo("leastping");
        assertThat(router.calls("OverrideBalancerTarget")).extracting(TestingXrayRouter.Call::request)
                .containsExactly(OverrideBalancerTargetRequest.newBuilder().setBalancerTag("bal").setTarget("proxy")
                        .build());
        assertThat(router.overrides()).containsEntry("bal", "proxy");
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("direct", "only"));
    }

    @Test
    void aRuleXrayCannotTakeLiveIsAppliedByARestartThatKeepsTheUsers() throws Exception {
        start();
        long pid = backend.corePid().orElseThrow();

        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"local\", \"localPort\": \"443\"}",
                false);

        assertThat(router.calls("AddRule")).as("localPort is not sent live").isEmpty();
        assertThat(backend.restartCount()).isEqualTo(1);
        assertThat(backend.corePid().orElseThrow()).isNotEqualTo(pid);
        JsonNode config = renderedConfig(c -> c.path("routing").path("rules").size() == 5);
        assertThat(config.path("routing").path("rules").get(4).path("localPort").asText()).isEqualTo("443");
        assertThat(backend.users()).containsOnlyKeys("alice@x");
        assertThat(config.toString()).contains("alice@x");
    }

    @Test
    void aRuntimeRuleSurvivesTheRestartAfterACrash() throws Exception {
        start();
        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"kept\", \"domain\": [\"x.example\"]}",
                false);
        long pid = backend.corePid().orElseThrow();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> backend.isRunning() && backend.corePid().orElse(pid) != pid);
        JsonNode config = renderedConfig(c -> c.toString().contains("\"kept\""));
        JsonNode last = config.path("routing").path("rules").get(4);
        assertThat(last.path("ruleTag").asText()).isEqualTo("kept");
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "panel-ads"),
                new RoutingRule("direct", "kept"));
    }

    @Test
    void balancerOverridesAreSentAgainToACoreThatRestarted() throws Exception {
        start();
        backend.routing().overrideBalancerTarget("bal", "direct");
        long pid = backend.corePid().orElseThrow();
        router.clearCalls();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !router.calls("OverrideBalancerTarget").isEmpty());
        assertThat(router.calls("OverrideBalancerTarget").get(0).request()).isEqualTo(
                OverrideBalancerTargetRequest.newBuilder().setBalancerTag("bal").setTarget("direct").build());
    }

    @Test
    void balancersAreTheCoresAnswersAndTheirOverridesReachIt() throws Exception {
        start();
        router.principleTargets("bal", List.of("proxy", "direct"));

        backend.routing().overrideBalancerTarget("bal", "proxy");
        BalancerInfo info = backend.routing().balancerInfo("bal");

        assertThat(info).isEqualTo(new BalancerInfo("proxy", List.of("proxy", "direct")));
        assertThat(router.calls()).extracting(TestingXrayRouter.Call::request).containsExactly(
                OverrideBalancerTargetRequest.newBuilder().setBalancerTag("bal").setTarget("proxy").build(),
                GetBalancerInfoRequest.newBuilder().setTag("bal").build());
        UnknownFieldSet override = UnknownFieldSet.parseFrom(router.calls().get(0).request().toByteString());
        assertThat(override.getField(1).getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("bal"));
        assertThat(override.getField(2).getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("proxy"));

        backend.routing().overrideBalancerTarget("bal", "");
        assertThat(router.overrides()).isEmpty();
        router.clearCalls();
        assertThatThrownBy(() -> backend.routing().balancerInfo("nobal"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND))
                .hasMessageContaining("no balancer \"nobal\"");
        assertThatThrownBy(() -> backend.routing().overrideBalancerTarget("bal", "nowhere"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST));
        assertThat(router.calls()).isEmpty();
    }

    @Test
    void aRouteTestSendsEveryFieldOfTheConnectionAndAnswersTheCoresRoute() throws Exception {
        start();
        router.routeTo(RoutingContext.newBuilder().setOutboundTag("proxy").addOutboundGroupTags("bal")
                .setInboundTag("vless-in").setNetwork(3).setTargetDomain("example.com").build());

        RouteResult result = backend.routing().testRoute(new RouteTest("vless-in", "udp", "192.0.2.7", "example.com",
                443, "quic", "alice@x", Map.of(":method", "GET"), List.of("outbound", "network"), true));

        assertThat(result).isEqualTo(new RouteResult("proxy", List.of("bal"), "vless-in", "udp", "example.com"));
        TestRouteRequest sent = (TestRouteRequest) router.calls("TestRoute").get(0).request();
        UnknownFieldSet request = UnknownFieldSet.parseFrom(sent.toByteString());
        UnknownFieldSet context = messages(request, 1).get(0);
        assertThat(string(context, 1)).as("InboundTag").isEqualTo("vless-in");
        assertThat(varints(context, 2)).as("Network UDP").containsExactly(3L);
        assertThat(context.getField(4).getLengthDelimitedList()).as("TargetIPs")
                .containsExactly(ByteString.copyFrom(InetAddress.getByName("192.0.2.7").getAddress()));
        assertThat(varints(context, 6)).as("TargetPort").containsExactly(443L);
        assertThat(string(context, 7)).as("TargetDomain").isEqualTo("example.com");
        assertThat(string(context, 8)).as("Protocol").isEqualTo("quic");
        assertThat(string(context, 9)).as("User").isEqualTo("alice@x");
        assertThat(messages(context, 10)).extracting(entry -> string(entry, 1) + "=" + string(entry, 2))
                .containsExactly(":method=GET");
        assertThat(strings(request, 2)).as("FieldSelectors").containsExactly("outbound", "network");
        assertThat(varints(request, 3)).as("PublishResult").containsExactly(1L);
    }

    @Test
    void aRouteTestNoRuleMatchesIsNotFoundAndBadInputNeverReachesTheCore() throws Exception {
        start();

        assertThatThrownBy(() -> backend.routing().testRoute(new RouteTest("", "tcp", "", "nomatch.example", 80, "",
                "", Map.of(), List.of(), false)))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND))
                .hasMessageContaining("no routing rule matches").hasMessageContaining("\"direct\"");
        router.clearCalls();
        for (RouteTest bad : List.of(
                new RouteTest("", "sctp", "", "", 0, "", "", Map.of(), List.of(), false),
                new RouteTest("", "", "not-an-ip", "", 0, "", "", Map.of(), List.of(), false))) {
            assertThatThrownBy(() -> backend.routing().testRoute(bad))
                    .isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST));
        }
        assertThat(router.calls()).isEmpty();
    }

    @Test
    void anXrayBefore25829TakesTheRuleTagAt18AndDomainsAsValues() throws Exception {
        start("Xray 25.1.30 (Xray, Penetrates Everything.) abcdef0 (go1.23 linux/amd64)", true);
        router.ruleTagField(18);

        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"old\", \"domain\": [\"full:a.example\"],"
                + " \"ip\": [\"10.0.0.0/8\", \"192.0.2.1\"]}", false);

        UnknownFieldSet rule = TestingXrayRouter.rulesOf((AddRuleRequest) router.calls("AddRule").get(0).request()).get(0);
        assertThat(string(rule, 18)).isEqualTo("old");
        assertThat(rule.hasField(19)).isFalse();
        UnknownFieldSet domain = messages(rule, 2).get(0);
        assertThat(varints(domain, 1)).as("Domain.type Full").containsExactly(3L);
        assertThat(string(domain, 2)).isEqualTo("a.example");
        List<UnknownFieldSet> geoips = messages(rule, 10);
        assertThat(geoips).as("one GeoIP holding the rule's own ranges").hasSize(1);
        assertThat(string(geoips.get(0), 1)).as("no country code").isEmpty();
        assertThat(messages(geoips.get(0), 2)).extracting(RoutingOnXrayTest::cidr)
                .containsExactly("10.0.0.0/8", "192.0.2.1/32");
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    void anXrayBefore26413LoadsGeositeOnlyFromItsConfigSoSuchARuleRestartsIt() throws Exception {
        start("Xray 26.3.27 (Xray, Penetrates Everything.) abcdef0 (go1.24 linux/amd64)", true);

        backend.routing().addRule("{\"outboundTag\": \"block\", \"ruleTag\": \"cn\", \"domain\": [\"geosite:cn\"]}",
                false);

        assertThat(router.calls("AddRule")).isEmpty();
        assertThat(backend.restartCount()).isEqualTo(1);
        assertThat(renderedConfig(c -> c.toString().contains("geosite:cn")).path("routing").path("rules").get(4)
                .path("ruleTag").asText()).isEqualTo("cn");
    }

    @Test
    void anXrayWithoutRoutingServiceChangesRulesByRestartAndAnswersTheRestUnsupported() throws Exception {
        start("Xray 1.8.4 (Xray, Penetrates Everything.) abcdef0 (go1.21 linux/amd64)", false);

        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"r\", \"inboundTag\": [\"vless-in\"]}", false);
        assertThat(backend.restartCount()).isEqualTo(1);
        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"s\", \"inboundTag\": [\"vless-in\"]}", false);
        assertThat(backend.restartCount()).isEqualTo(2);
        backend.routing().removeRule("r");
        assertThat(backend.restartCount()).isEqualTo(3);
        assertThat(backend.routing().rules()).extracting(RoutingRule::ruleTag).containsExactly("panel-ads", "s");

        assertThatThrownBy(() -> backend.routing().balancerInfo("bal"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED))
                .hasMessageContaining("GetBalancerInfo");
    }

    private void assertRefused(String rule, String sentence) {
        assertThatThrownBy(() -> backend.routing().addRule(rule, false)).as(rule)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining(sentence);
    }

    /** A DomainRule holding a custom Domain (field 2): "type:value". */
    private static String customDomain(UnknownFieldSet domainRule) {
        UnknownFieldSet domain = messages(domainRule, 2).get(0);
        List<Long> type = varints(domain, 1);
        return (type.isEmpty() ? 0 : type.get(0)) + ":" + string(domain, 2);
    }

    /** An IPRule holding a custom CIDRRule (field 2): "ip/prefix reverse=...". */
    private static String customCidr(UnknownFieldSet ipRule) {
        UnknownFieldSet cidrRule = messages(ipRule, 2).get(0);
        return cidr(messages(cidrRule, 1).get(0)) + " reverse=" + !varints(cidrRule, 2).isEmpty();
    }

    private static String cidr(UnknownFieldSet cidr) {
        try {
            String ip = InetAddress.getByAddress(cidr.getField(1).getLengthDelimitedList().get(0).toByteArray())
                    .getHostAddress();
            return ip + "/" + varints(cidr, 2).get(0);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> ranges(UnknownFieldSet portList) {
        List<String> ranges = new ArrayList<>();
        for (UnknownFieldSet range : messages(portList, 1)) {
            ranges.add(varints(range, 1).get(0) + "-" + varints(range, 2).get(0));
        }
        return ranges;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
