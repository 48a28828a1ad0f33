package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.changed;
import static io.pgnode.plugin.xray.TestUsers.user;
import static io.pgnode.plugin.xray.TestUsers.uuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.host.TestingBackendContext;
import io.pgnode.plugin.xray.api.HysteriaAccount;
import io.pgnode.plugin.xray.api.Shadowsocks2022Account;
import io.pgnode.plugin.xray.api.ShadowsocksAccount;
import io.pgnode.plugin.xray.api.TrojanAccount;
import io.pgnode.plugin.xray.api.VlessAccount;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend against an in-process fake of Xray's API (no Xray binary exists here) and a stand-in core
 * process: proves the Xray flavor's names, type strings, cipher numbers, online statistics, diff-only syncs
 * and the watchdog.
 */
class XrayBackendOnXrayTest {

    private static final String CONFIG = "{\"log\":{\"loglevel\":\"warning\"},\"inbounds\":["
            + "{\"tag\":\"vmess-in\",\"port\":2001,\"protocol\":\"vmess\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"vless-in\",\"port\":2002,\"protocol\":\"vless\",\"settings\":{\"clients\":[],\"decryption\":\"none\"},"
            + "  \"streamSettings\":{\"network\":\"tcp\",\"security\":\"reality\"}},"
            + "{\"tag\":\"trojan-in\",\"port\":2003,\"protocol\":\"trojan\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"ss-in\",\"port\":2004,\"protocol\":\"shadowsocks\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"ss2022-in\",\"port\":2005,\"protocol\":\"shadowsocks\",\"settings\":{\"method\":\"2022-blake3-aes-128-gcm\","
            + "  \"password\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"clients\":[]}},"
            + "{\"tag\":\"hy-in\",\"port\":2006,\"protocol\":\"hysteria\",\"settings\":{\"version\":2,\"clients\":[]}}],"
            + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";

    private static final XrayBackend.Tuning FAST = new XrayBackend.Tuning(
            new CoreWatchdog.Timing(Duration.ofMillis(100), Duration.ofMillis(500), 3, Duration.ofSeconds(1)),
            Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(1));

    @TempDir
    Path dir;

    private TestingXrayApi api;
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

    private XrayBackend start(List<User> users) throws Exception {
        return start(users, Map.of(), true);
    }

    private XrayBackend start(List<User> users, Map<String, String> settings, boolean onlineStats) throws Exception {
        api = new TestingXrayApi(onlineStats);
        Path core = TestingCoreExecutable.write(dir, "xray", TestingCoreExecutable.XRAY_VERSION);
        Map<String, String> all = new HashMap<>(settings);
        all.put("XRAY_EXECUTABLE_PATH", core.toString());
        TestingBackendContext context = new TestingBackendContext(CONFIG, users, Set.of(), all, dir);
        backend = new XrayBackend(context, XraySettings.from(all), PanelConfig.parse(CONFIG, Set.of()), api.connector(),
                FAST, "");
        backend.start();
        context.startReturned();
        api.loadUsers(renderedConfig());
        return backend;
    }

    private JsonNode renderedConfig() throws Exception {
        return TestingCoreExecutable.lastConfig(dir);
    }

    @Test
    void startsTheCoreWithXraysCommandLineAndReportsItsVersion() throws Exception {
        start(List.of(user("alice@x", "vless-in")));

        assertThat(backend.isRunning()).isTrue();
        assertThat(backend.coreVersion()).isEqualTo("26.7.28");
        assertThat(Files.readString(dir.resolve("args")).strip()).isEqualTo("run -c stdin:");
        JsonNode config = renderedConfig();
        assertThat(config.path("policy").path("levels").path("0").path("statsUserOnline").asBoolean()).isTrue();
        assertThat(api.usersIn("vless-in")).containsExactly("alice@x");
        assertThat(api.alters()).as("start users go in through the config, not the API").isEmpty();
    }

    @Test
    void addingAUserSendsXraysTypedAddOperations() throws Exception {
        start(List.of());

        backend.syncUser(user("bob@x", "vless-in", "trojan-in"));

        assertThat(api.alters()).hasSize(2).allSatisfy(alter -> {
            assertThat(alter.operation()).isEqualTo("xray.app.proxyman.command.AddUserOperation");
            assertThat(alter.email()).isEqualTo("bob@x");
        });
        TestingXrayApi.Alter vless = alterIn("vless-in").get(0);
        assertThat(vless.account().getType()).isEqualTo("xray.proxy.vless.Account");
        assertThat(VlessAccount.parseFrom(vless.account().getValue()).getId()).isEqualTo(uuid("bob@x"));
        TestingXrayApi.Alter trojan = alterIn("trojan-in").get(0);
        assertThat(trojan.account().getType()).isEqualTo("xray.proxy.trojan.Account");
        assertThat(TrojanAccount.parseFrom(trojan.account().getValue()).getPassword())
                .isEqualTo(TestUsers.password("bob@x", ""));
        assertThat(api.usersIn("vless-in")).containsExactly("bob@x");
    }

    @Test
    void aChangedUserIsRemovedThenAddedAndLeavesInboundsItNoLongerLists() throws Exception {
        start(List.of(user("alice@x", "vless-in", "trojan-in")));

        backend.syncUser(changed("alice@x", "2", "vless-in"));

        List<TestingXrayApi.Alter> vless = alterIn("vless-in");
        assertThat(vless).extracting(TestingXrayApi.Alter::operation).containsExactly(
                "xray.app.proxyman.command.RemoveUserOperation", "xray.app.proxyman.command.AddUserOperation");
        assertThat(VlessAccount.parseFrom(vless.get(1).account().getValue()).getId()).isEqualTo(uuid("alice@x2"));
        assertThat(alterIn("trojan-in")).extracting(TestingXrayApi.Alter::operation)
                .containsExactly("xray.app.proxyman.command.RemoveUserOperation");
        assertThat(api.usersIn("trojan-in")).isEmpty();
    }

    @Test
    void aUserWithoutInboundsIsRemovedEverywhere() throws Exception {
        start(List.of(user("alice@x", "vmess-in", "vless-in", "trojan-in")));

        backend.syncUser(new User("alice@x", Proxies.NONE, List.of()));

        assertThat(api.alters()).hasSize(3).allSatisfy(
                alter -> assertThat(alter.operation()).isEqualTo("xray.app.proxyman.command.RemoveUserOperation"));
        assertThat(backend.users()).isEmpty();
    }

    @Test
    void shadowsocksAndHysteriaUsersChangeLiveWithXraysCipherNumbersAndKeys() throws Exception {
        start(List.of());
        long pid = backend.corePid().orElseThrow();

        backend.syncUser(new User("carol@x", new Proxies(null, null, null,
                new Proxies.Shadowsocks("carol-secret", "chacha20-ietf-poly1305"), null, new Proxies.Hysteria("carol-auth")),
                List.of("ss-in", "ss2022-in", "hy-in")));
        backend.syncUser(new User("dan@x", new Proxies(null, null, null, new Proxies.Shadowsocks("dan", "aes-128-gcm"),
                null, null), List.of("ss-in")));

        List<TestingXrayApi.Alter> ss = alterIn("ss-in");
        assertThat(ss).allSatisfy(a -> assertThat(a.account().getType()).isEqualTo("xray.proxy.shadowsocks.Account"));
        assertThat(ShadowsocksAccount.parseFrom(ss.get(0).account().getValue()).getCipherType()).isEqualTo(7);
        assertThat(ShadowsocksAccount.parseFrom(ss.get(1).account().getValue()).getCipherType()).isEqualTo(5);
        TestingXrayApi.Alter ss2022 = alterIn("ss2022-in").get(0);
        assertThat(ss2022.account().getType()).isEqualTo("xray.proxy.shadowsocks_2022.Account");
        assertThat(Base64.getDecoder().decode(Shadowsocks2022Account.parseFrom(ss2022.account().getValue()).getKey()))
                .hasSize(16);
        TestingXrayApi.Alter hysteria = alterIn("hy-in").get(0);
        assertThat(hysteria.account().getType()).isEqualTo("xray.proxy.hysteria.account.Account");
        assertThat(HysteriaAccount.parseFrom(hysteria.account().getValue()).getAuth()).isEqualTo("carol-auth");
        assertThat(backend.corePid()).hasValue(pid);
        assertThat(backend.restartCount()).isZero();
    }

    @Test
    void aFullSyncOfTwentyThousandUsersWithOnePercentChangedTouchesOnlyThoseUsers() throws Exception {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            users.add(user("u" + i + "@x", "vless-in"));
        }
        start(users);
        assertThat(api.usersIn("vless-in")).hasSize(20_000);
        long pid = backend.corePid().orElseThrow();

        List<User> next = new ArrayList<>(users);
        for (int i = 0; i < 100; i++) {
            next.set(i, changed("u" + i + "@x", "2", "vless-in"));          // 100 changed: remove + add
        }
        next.subList(100, 150).clear();                                      // 50 gone: remove
        for (int i = 0; i < 50; i++) {
            next.add(user("new" + i + "@x", "vless-in"));                    // 50 new: add
        }
        backend.replaceUsers(next);

        List<TestingXrayApi.Alter> alters = api.alters();
        assertThat(alters.stream().filter(TestingXrayApi.Alter::isAdd)).hasSize(150);
        assertThat(alters.stream().filter(a -> !a.isAdd())).hasSize(150);
        assertThat(alters).extracting(TestingXrayApi.Alter::email).doesNotContain("u150@x", "u19999@x");
        assertThat(api.usersIn("vless-in")).hasSize(20_000).contains("u0@x", "new49@x").doesNotContain("u100@x");
        assertThat(backend.corePid()).hasValue(pid);
    }

    @Test
    void anInvalidUserIsSkippedNamedAndKeptAsItWasWhileTheOthersApply() throws Exception {
        start(List.of(user("alice@x", "vless-in")));
        User badAlice = new User("alice@x", new Proxies(null, new Proxies.Vless("definitely not a uuid, too long", ""),
                null, null, null, null), List.of("vless-in"));

        assertThatThrownBy(() -> backend.replaceUsers(List.of(badAlice, user("bob@x", "vless-in"))))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_USER))
                .hasMessageContaining("alice@x (vless id is not a UUID)")
                .hasMessageNotContaining("definitely not");

        assertThat(api.alters()).extracting(TestingXrayApi.Alter::email).containsExactly("bob@x");
        assertThat(api.usersIn("vless-in")).containsExactlyInAnyOrder("alice@x", "bob@x");
        assertThat(backend.users().get("alice@x").accountIn("vless-in"))
                .isEqualTo(new InboundAccount.Vless(uuid("alice@x"), ""));
    }

    @Test
    void aUserTheCoreRefusesIsReportedInTheCoresWords() throws Exception {
        start(List.of());
        api.refuse("dan@x");

        assertThatThrownBy(() -> backend.syncUser(user("dan@x", "vless-in")))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_USER))
                .hasMessageContaining("dan@x in vless-in")
                .hasMessageContaining("failed to parse user")
                .hasMessageNotContaining(uuid("dan@x"));
        assertThat(backend.users()).doesNotContainKey("dan@x");
    }

    @Test
    void concurrentSyncsAndStatsQueriesAllLand() throws Exception {
        start(List.of());
        api.setCounter("user>>>seed@x>>>traffic>>>uplink", 1);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    backend.syncUser(user("t" + thread + "-" + i + "@x", "vless-in", "trojan-in"));
                    assertThat(backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false))).isNotEmpty();
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(api.usersIn("vless-in")).hasSize(200);
        assertThat(api.usersIn("trojan-in")).hasSize(200);
        assertThat(backend.users()).hasSize(200);
    }

    @Test
    void aUserTheCoreAlreadyHasIsReplaced() throws Exception {
        start(List.of());
        api.loadUsers(PanelConfig.JSON.readTree(
                "{\"inbounds\":[{\"tag\":\"vless-in\",\"settings\":{\"clients\":[{\"email\":\"ghost@x\"}]}}]}"));

        backend.syncUser(user("ghost@x", "vless-in"));

        assertThat(api.alters()).extracting(TestingXrayApi.Alter::operation).containsExactly(
                "xray.app.proxyman.command.AddUserOperation", "xray.app.proxyman.command.RemoveUserOperation",
                "xray.app.proxyman.command.AddUserOperation");
        assertThat(backend.users()).containsKey("ghost@x");
    }

    @Test
    void onlineCountAndIpsComeFromXraysOnlineMap() throws Exception {
        start(List.of(user("alice@x", "vless-in")));
        api.setOnline("alice@x", Map.of("203.0.113.7", 1_760_000_000L, "[2001:db8::1]", 1_760_000_005L));

        assertThat(backend.onlineCount("alice@x")).isEqualTo(2);
        assertThat(backend.onlineIps("alice@x"))
                .isEqualTo(Map.of("203.0.113.7", 1_760_000_000L, "[2001:db8::1]", 1_760_000_005L));
        assertThatThrownBy(() -> backend.onlineCount("nobody@x"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND))
                .hasMessageContaining("user>>>nobody@x>>>online not found.");
        assertThatThrownBy(() -> backend.onlineIps("nobody@x"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
    }

    @Test
    void anXrayWithoutOnlineMethodsAnswersUnsupported() throws Exception {
        start(List.of(), Map.of(), false);

        assertThatThrownBy(() -> backend.onlineCount("alice@x"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED));
    }

    @Test
    void knownTargetsWithoutCountersYetAnswerZeroTraffic() throws Exception {
        start(List.of(user("alice@x", "vless-in")));

        for (boolean reset : List.of(false, true)) {
            assertThat(backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", reset))).as("a user the node holds")
                    .containsExactly(new Stat("alice@x", "downlink", "traffic", 0), new Stat("alice@x", "uplink", "traffic", 0));
            assertThat(backend.stats(new StatQuery(StatQuery.Scope.INBOUND, "hy-in", reset))).as("an inbound of the config")
                    .containsExactly(new Stat("hy-in", "downlink", "traffic", 0), new Stat("hy-in", "uplink", "traffic", 0));
            assertThat(backend.stats(new StatQuery(StatQuery.Scope.OUTBOUND, "direct", reset))).as("an outbound of the config")
                    .containsExactly(new Stat("direct", "downlink", "traffic", 0), new Stat("direct", "uplink", "traffic", 0));
        }
        assertThat(backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false))).as("no made-up rows in lists").isEmpty();
    }

    @Test
    void aRemovedUserIsKnownByItsCountersOnly() throws Exception {
        start(List.of(user("alice@x", "vless-in"), user("bob@x", "vless-in")));
        api.setCounter("user>>>alice@x>>>traffic>>>downlink", 300);

        backend.syncUser(new User("alice@x", Proxies.NONE, List.of()));
        backend.syncUser(new User("bob@x", Proxies.NONE, List.of()));

        assertThat(backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", false))).as("traffic still to collect")
                .containsExactly(new Stat("alice@x", "downlink", "traffic", 300), new Stat("alice@x", "uplink", "traffic", 0));
        assertThatThrownBy(() -> backend.stats(new StatQuery(StatQuery.Scope.USER, "bob@x", false)))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND))
                .hasMessageContaining("bob@x");
    }

    @Test
    void unknownTargetsAndTheNodesOwnApiInboundAreNotFound() throws Exception {
        start(List.of());
        api.setCounter("inbound>>>api>>>traffic>>>uplink", 7);
        backend.drainUsage(UsageDrain.ALL);
        api.setCounter("inbound>>>api>>>traffic>>>uplink", 7);

        for (StatQuery query : List.of(new StatQuery(StatQuery.Scope.USER, "nobody@x", false),
                new StatQuery(StatQuery.Scope.INBOUND, "api", false),
                new StatQuery(StatQuery.Scope.OUTBOUND, "nowhere", true))) {
            assertThatThrownBy(() -> backend.stats(query))
                    .isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
        }
        assertThat(backend.stats(new StatQuery(StatQuery.Scope.INBOUNDS, "", false))).isEmpty();
    }

    @Test
    void runtimeStatsComeFromGetSysStats() throws Exception {
        start(List.of());
        api.setUptime(77);

        assertThat(backend.runtimeStats().uptimeSeconds()).isEqualTo(77);
        assertThat(backend.runtimeStats().goroutines()).isEqualTo(42);
    }

    @Test
    void failedHealthProbesRestartTheCoreWithEveryUser() throws Exception {
        start(List.of(user("alice@x", "vless-in")));
        backend.syncUser(user("bob@x", "trojan-in"));
        long pid = backend.corePid().orElseThrow();
        Files.delete(dir.resolve("config.json"));

        api.failNextProbes(4);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> backend.restartCount() == 1 && backend.isRunning());
        assertThat(backend.corePid().orElseThrow()).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        JsonNode config = renderedConfig();
        assertThat(clientEmails(config, "vless-in")).containsExactly("alice@x");
        assertThat(clientEmails(config, "trojan-in")).as("the live-added user is back").containsExactly("bob@x");
    }

    @Test
    void aDroppingUptimeMeansTheCoreRestartedByItselfAndIsRestartedWithItsUsers() throws Exception {
        start(List.of());
        api.setUptime(100);
        int seen = api.probes();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> api.probes() > seen + 1);

        api.setUptime(1);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> backend.restartCount() == 1 && backend.isRunning());
    }

    @Test
    void aCoreThatDiesIsRestartedAtOnce() throws Exception {
        start(List.of(user("alice@x", "vless-in")));
        long pid = backend.corePid().orElseThrow();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> backend.isRunning() && backend.corePid().orElse(pid) != pid);
        assertThat(backend.restartCount()).isEqualTo(1);
    }

    @Test
    void debugWritesTheRenderedConfigForTheOwnerOnly() throws Exception {
        Path generated = dir.resolve("generated");
        start(List.of(user("alice@x", "vless-in")), Map.of("DEBUG", "true", "GENERATED_CONFIG_PATH", generated.toString()),
                true);

        Path file = generated.resolve("xray_config.json");
        assertThat(PanelConfig.JSON.readTree(file.toFile())).isEqualTo(renderedConfig());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void closeStopsTheCoreAndCanBeRepeated() throws Exception {
        start(List.of());
        ProcessHandle core = ProcessHandle.of(backend.corePid().orElseThrow()).orElseThrow();

        backend.close();
        backend.close();

        assertThat(core.isAlive()).isFalse();
        assertThat(backend.isRunning()).isFalse();
        assertThatThrownBy(() -> backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false)))
                .isInstanceOf(BackendException.class);
    }

    private List<TestingXrayApi.Alter> alterIn(String tag) {
        return api.alters().stream().filter(a -> a.tag().equals(tag)).toList();
    }

    private static List<String> clientEmails(JsonNode config, String tag) {
        List<String> emails = new ArrayList<>();
        for (JsonNode inbound : config.path("inbounds")) {
            if (inbound.path("tag").asText().equals(tag)) {
                inbound.path("settings").path("clients").forEach(c -> emails.add(c.path("email").asText()));
            }
        }
        return emails;
    }

}
