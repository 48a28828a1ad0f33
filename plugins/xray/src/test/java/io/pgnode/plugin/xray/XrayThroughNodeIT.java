package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.byType;
import static io.pgnode.plugin.xray.PanelRequests.chunk;
import static io.pgnode.plugin.xray.PanelRequests.inbound;
import static io.pgnode.plugin.xray.PanelRequests.inbounds;
import static io.pgnode.plugin.xray.PanelRequests.outbound;
import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.PanelRequests.user;
import static io.pgnode.plugin.xray.PanelRequests.users;
import static io.pgnode.plugin.xray.PanelRequests.zeroTraffic;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.TestingStreamObserver;
import io.pgnode.host.grpc.GrpcErrors;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Log;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.Vless;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as it ships (the zip of the package phase) in a real node, driven over REST and gRPC as the
 * panel drives it, against the real v2fly core with real proxied traffic: a second v2ray is the client
 * (SOCKS on loopback → vmess/vless/trojan → the node's core → a local HTTP server). The core is found the way
 * an operator finds it: the v2ray child of the node's process, running in the backend's work directory.
 *
 * <p>One node serves the class and keeps one core across tests where it can (a core start is the expensive
 * part). Each test begins with that core running and empty (a Start of the class's config, which the node
 * applies to the running core), brings its own users and reads its own log stream, so any test runs alone
 * ({@code -Dit.test=XrayThroughNodeIT#method}) and a failed one leaves nothing behind for the next. Tests that
 * need a core of their own (the start, the crash, the stop) start one with another config.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XrayThroughNodeIT {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;
    /** Every user a test of this class brings; the client has routes for each, in generations "" and "2". */
    private static final List<String> EMAILS = List.of("start@x", "start-too@x", "alice@x", "bob@x", "reset@x",
            "reset-too@x", "cut@x", "stays@x", "new@x", "keep@x", "renew@x", "gone@x", "joins@x", "back@x",
            "stay@x", "left@x", "served@x", "logs@x", "crash@x", "crash-too@x", "stop@x", "secret@x", "secret-too@x");
    private static final String FRANKS_BAD_ID = "frank-has-no-uuid-but-a-secret";

    private CapturedLogs nodeLogs;
    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingV2rayClient client;
    private TestingNode node;
    private Path generatedConfig;
    /** This test's: the core that runs, the node's log stream, and the judge of its traffic by that stream. */
    private long corePid;
    private TestingLogStream coreLog;
    private ProxiedTraffic traffic;

    @BeforeAll
    void startNode(@TempDir Path temp) throws Exception {
        nodeLogs = CapturedLogs.of("io.pgnode");
        generatedConfig = temp.resolve("generated");
        node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .setting("DEBUG", "true")
                .setting("GENERATED_CONFIG_PATH", generatedConfig.toString())
                .setting("USAGE_DRAIN_INTERVAL", "1") // the node collects the core's counters every second
                .start();
        http = new TestingHttpServer();
        inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>();
        for (String email : EMAILS) {
            routes.addAll(inbounds.routes(email, ""));
            routes.addAll(inbounds.routes(email, "2"));
        }
        client = TestingV2rayClient.start(routes);
    }

    /** The class's core, running with no users (started, or emptied live), and a log stream of its lines. */
    @BeforeEach
    void runningCoreWithNoUsers() {
        assertThat(node.rest().start(startXray(inbounds.panelConfig())).getStarted()).isTrue();
        corePid = theCore();
        followTheCoresLog();
    }

    @AfterEach
    void closeTheLogStream() {
        if (coreLog != null) {
            coreLog.close();
        }
    }

    @AfterAll
    void stopNode() throws Exception {
        for (AutoCloseable open : new AutoCloseable[] {client, node, http, nodeLogs}) {
            if (open != null) {
                open.close();
            }
        }
    }

    @Test
    void startsTheCoreFromThePluginZip() {
        BaseInfoResponse info = node.rest().start(startXray(inbounds.otherPanelConfig("fresh-start"),
                panelUser("start@x", "", ALL), panelUser("start-too@x", "", ALL)));

        assertThat(info.getStarted()).isTrue();
        assertThat(info.getCoreVersion()).isEqualTo("4.34.0");
        assertThat(info.getCoreType()).isEqualTo("xray");
        assertThat(node.grpc().getBaseInfo(Empty.getDefaultInstance())).isEqualTo(info);
        assertThat(theCore()).as("a new core for another config").isNotEqualTo(corePid);
        assertThatThrownBy(() -> Class.forName("io.pgnode.plugin.xray.XrayBackend"))
                .as("the node gets the plugin from its zip only").isInstanceOf(ClassNotFoundException.class);
        assertThat(nodeLogs.lines()).anyMatch(line -> line.contains("Backend registered: xray (type 0, plugin xray)"))
                .noneMatch(line -> line.contains("skipped"));
        followTheCoresLog();
        traffic.assertServed("start@x", "");
    }

    @Test
    void everyUsersTrafficIsCountedAndBothTransportsReportTheSame() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", ALL), panelUser("bob@x", "", ALL)));

        traffic.assertServed("alice@x", "");
        traffic.assertServed("bob@x", "");

        for (String email : List.of("alice@x", "bob@x")) {
            Map<String, Long> usage = byType(onBothTransports(user(email, false)), email);
            assertThat(usage.get("uplink")).as(email + " uplink").isPositive();
            assertThat(usage.get("downlink")).as(email + " downlink").isGreaterThanOrEqualTo(3L * BYTES);
        }
        StatResponse perInbound = onBothTransports(inbounds(false));
        assertThat(perInbound.getStatsList()).hasSize(6).allSatisfy(stat -> {
            assertThat(stat.getName()).isIn((Object[]) ALL);
            assertThat(stat.getValue()).as(stat.toString()).isPositive();
        });
        Map<String, Long> direct = byType(onBothTransports(outbound("direct", false)), "direct");
        assertThat(direct.get("uplink")).isPositive();
        assertThat(direct.get("downlink")).isGreaterThanOrEqualTo(6L * BYTES);
    }

    @Test
    void aResetReturnsTheCountersThenZeroes() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("reset@x", "", ALL),
                panelUser("reset-too@x", "", ALL)));
        node.grpc().getStats(inbound("vless-in", true));
        traffic.assertServed("reset@x", "");
        traffic.assertServed("reset-too@x", "");

        StatResponse returned = node.rest().stats(users(true));

        assertThat(byType(returned, "reset@x").get("downlink")).isGreaterThanOrEqualTo(3L * BYTES);
        assertThat(byType(returned, "reset-too@x").get("uplink")).isPositive();
        assertThat(node.grpc().getStats(users(false)).getStatsList()).isNotEmpty()
                .allSatisfy(stat -> assertThat(stat.getValue()).as(stat.toString()).isZero());

        assertThat(byType(node.grpc().getStats(inbound("vless-in", true)), "vless-in").get("downlink"))
                .isGreaterThanOrEqualTo(2L * BYTES);
        assertThat(node.rest().stats(inbound("vless-in", false)).getStatsList()).isEqualTo(zeroTraffic("vless-in"));
    }

    @Test
    void onlyTargetsTheNodeDoesNotKnowAreNotFound() {
        for (StatRequest unknown : List.of(user("nobody@x", false), inbound("nowhere-in", false),
                inbound("api", false), outbound("nowhere", true))) {
            TestingRestClient.Response answer = node.rest().call("GET", "/stats", unknown);
            assertThat(answer.status()).as(unknown.toString()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo("NOT_FOUND");
            assertThat(answer.errorMessage()).contains(unknown.getName());
            assertThat(grpcFailure(() -> node.grpc().getStats(unknown)).getStatus().getCode())
                    .isEqualTo(Status.Code.NOT_FOUND);
        }
    }

    @Test
    void removingAUsersInboundsOverRestCutsThemOffWhileOthersKeepWorking() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("cut@x", "", ALL), panelUser("stays@x", "", ALL)));
        traffic.assertServed("cut@x", "");

        node.rest().syncUser(panelUser("cut@x", ""));

        traffic.assertRefused("cut@x", "");
        traffic.assertServed("stays@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    void aNewUserSyncedOverGrpcWorksAtOnceWithoutARestart() {
        traffic.assertRefused("new@x", "");

        clientStream(node.grpcAsync()::syncUser, List.of(panelUser("new@x", "", ALL)));

        assertThat(node.rest().stats(user("new@x", false)).getStatsList()).as("known, no traffic yet")
                .isEqualTo(zeroTraffic("new@x"));
        assertThat(node.grpc().getStats(user("new@x", false)).getStatsList()).isEqualTo(zeroTraffic("new@x"));
        traffic.assertServed("new@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    void aFullSyncOverGrpcAppliesTheDifferenceLive() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("keep@x", "", ALL), panelUser("renew@x", "", ALL),
                panelUser("gone@x", "", ALL)));
        traffic.assertServed("gone@x", "");

        node.grpc().syncUsers(Users.newBuilder().addUsers(panelUser("keep@x", "", ALL))
                .addUsers(panelUser("renew@x", "2", ALL)).addUsers(panelUser("joins@x", "", ALL)).build());

        traffic.assertServed("renew@x", "2"); // the new credentials
        traffic.assertRefused("renew@x", ""); // the old credentials
        traffic.assertServed("joins@x", "");
        traffic.assertRefused("gone@x", ""); // not in the set
        traffic.assertServed("keep@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    void aChunkedSyncOverRestAppliesTheDifferenceLive() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("stay@x", "", ALL), panelUser("renew@x", "", ALL),
                panelUser("left@x", "", ALL)));

        node.rest().syncUsersChunked(List.of(
                chunk(0, false, panelUser("stay@x", "", ALL), panelUser("back@x", "", ALL)),
                chunk(1, true, panelUser("renew@x", "2", ALL))));

        traffic.assertServed("back@x", ""); // new in the set
        traffic.assertServed("renew@x", "2");
        traffic.assertRefused("left@x", ""); // not in the set
        traffic.assertServed("stay@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    void aChunkedSyncOverGrpcAppliesTheDifferenceLive() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("stay@x", "", ALL), panelUser("left@x", "", ALL)));

        clientStream(node.grpcAsync()::syncUsersChunked, List.of(
                chunk(0, false, panelUser("stay@x", "", ALL)),
                chunk(1, true, panelUser("joins@x", "", ALL))));

        traffic.assertServed("joins@x", "");
        traffic.assertRefused("left@x", ""); // not in the set
        traffic.assertServed("stay@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    void badRequestsAreRefusedInWordsAndTheCoreKeepsServing() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("served@x", "", ALL)));

        TestingRestClient.Response badJson = node.rest().call("POST", "/start", startXray("{\"inbounds\": [}"));
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.errorCode()).isEqualTo("INVALID_CONFIG");
        assertThat(badJson.errorMessage()).contains("not valid JSON", "Unexpected close marker '}'", "line 1");
        StatusRuntimeException grpcBadJson = grpcFailure(() -> node.grpc().start(startXray("[1,")));
        assertThat(grpcBadJson.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(grpcBadJson.getStatus().getDescription()).contains("not valid JSON");

        TestingRestClient.Response wireguard = node.rest().call("POST", "/start",
                startXray(inbounds.panelConfig()).toBuilder().setType(BackendType.WIREGUARD).build());
        assertThat(wireguard.errorCode()).isEqualTo("UNKNOWN_BACKEND_TYPE");
        assertThat(wireguard.errorMessage()).contains("xray (type 0)");

        User frank = User.newBuilder().setEmail("frank@x")
                .setProxies(Proxy.newBuilder().setVless(Vless.newBuilder().setId(FRANKS_BAD_ID)))
                .addInbounds("vless-in").build();
        TestingRestClient.Response badUser = node.rest().call("PUT", "/user/sync", frank);
        assertThat(badUser.status()).isEqualTo(400);
        assertThat(badUser.errorCode()).isEqualTo("INVALID_USER");
        assertThat(badUser.errorMessage()).contains("frank@x").doesNotContain(FRANKS_BAD_ID);

        assertThat(node.rest().info().getStarted()).isTrue();
        assertThat(theCore()).as("the running core is untouched").isEqualTo(corePid);
        traffic.assertServed("served@x", "");
    }

    @Test
    void bothLogStreamsCarryTheCoresLines() throws Exception {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("logs@x", "", ALL)));
        String route = TestingServerInbounds.route("logs@x", "", "vless");
        // the core's access line of this route: the route's own source address, to the test's HTTP server
        String accessLine = " " + client.sourceAddress(route) + ":";
        String accepted = "accepted tcp:127.0.0.1:" + http.port();
        TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
        try (TestingLogStream restLogs = node.rest().logs(false)) {
            node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs);
            assertThat(restLogs.status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                // the streams attach asynchronously: a line is only theirs if it came after they did
                traffic.assertServed(route);
                assertThat(restLogs.lines()).anyMatch(line -> line.contains(accessLine) && line.contains(accepted));
                assertThat(grpcLogLines(grpcLogs)).anyMatch(line -> line.contains(accessLine) && line.contains(accepted));
            });
        }
    }

    @Test
    void theCoresRuntimeStatsAreServedAndOnlineStatsAreNotImplementedOnV2fly() {
        BackendStatsResponse rest = node.rest().backendStats();
        BackendStatsResponse grpc = node.grpc().getBackendStats(Empty.getDefaultInstance());
        for (BackendStatsResponse stats : List.of(rest, grpc)) {
            assertThat(stats.getNumGoroutine()).isPositive();
            assertThat(stats.getSys()).isPositive();
            assertThat(stats.getAlloc()).isPositive();
            assertThat(stats.getMallocs()).isPositive();
        }

        StatRequest alice = user("alice@x", false);
        for (String path : List.of("/stats/user/online", "/stats/user/online_ip")) {
            TestingRestClient.Response answer = node.rest().call("GET", path, alice);
            assertThat(answer.status()).as(path).isEqualTo(501);
            assertThat(answer.errorCode()).isEqualTo("UNSUPPORTED");
            assertThat(answer.errorMessage()).contains("Xray", "V2Ray 4.34.0");
        }
        for (ThrowingCallable call : List.<ThrowingCallable>of(() -> node.grpc().getUserOnlineStats(alice),
                () -> node.grpc().getUserOnlineIpListStats(alice))) {
            StatusRuntimeException e = grpcFailure(call);
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(e.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("UNSUPPORTED");
        }
    }

    @Test
    void aKilledCoreIsBackWithinSecondsWithEveryUserAndTheTrafficDrainedBeforeTheCrash() throws Exception {
        // a core of its own: its restart count starts at zero
        node.rest().start(startXray(inbounds.otherPanelConfig("fresh-crash"), panelUser("crash@x", "", ALL),
                panelUser("crash-too@x", "", ALL)));
        corePid = theCore();
        followTheCoresLog();
        TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
        node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs);
        node.rest().stats(users(true));
        traffic.assertServed(TestingServerInbounds.route("crash@x", "", "vless"));
        int apiPort = coreApiPort();
        String downlink = "user>>>crash@x>>>traffic>>>downlink";
        await("the node drains the core's counters (USAGE_DRAIN_INTERVAL=1)").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> RealV2ray.counters(apiPort, downlink).get(downlink), value -> value != null && value == 0);
        await("the gRPC stream attached").atMost(Duration.ofSeconds(10)).until(() -> !grpcLogs.values().isEmpty());
        int restLines = coreLog.lines().size();
        int grpcLines = grpcLogs.values().size();
        int nodeLines = nodeLogs.lines().size();

        ProcessHandle.of(corePid).orElseThrow().destroyForcibly(); // SIGKILL

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
                RealV2ray.runningIn(node.workDirectory("xray")).stream().anyMatch(p -> p.pid() != corePid)
                        && node.rest().info().getStarted());
        long killed = corePid;
        corePid = theCore();
        assertThat(corePid).isNotEqualTo(killed);
        assertThat(byType(onBothTransports(user("crash@x", false)), "crash@x").get("downlink"))
                .as("drained before the crash").isGreaterThanOrEqualTo(BYTES);
        traffic.assertServed("crash@x", "");
        traffic.assertServed("crash-too@x", "");
        assertThat(nodeLogs.lines().subList(nodeLines, nodeLogs.lines().size()))
                .anyMatch(line -> line.contains("core restarted (the core exited unexpectedly") && line.contains("restart #1"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(coreLog.lines().subList(restLines, coreLog.lines().size()))
                    .as("the restarted core's lines reach the same stream").anyMatch(l -> l.startsWith("V2Ray 4.34.0"));
            List<String> grpcLogLines = grpcLogLines(grpcLogs);
            assertThat(grpcLogLines.subList(grpcLines, grpcLogLines.size())).anyMatch(l -> l.startsWith("V2Ray 4.34.0"));
        });
    }

    @Test
    void stopLeavesNoCoreProcessAndEndsTheLogStreams() {
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("stop@x", "", ALL)));
        TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
        node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs);
        ProcessHandle core = ProcessHandle.of(corePid).orElseThrow();

        node.grpc().stop(Empty.getDefaultInstance());

        assertThat(core.isAlive()).isFalse();
        assertThat(RealV2ray.runningIn(node.workDirectory("xray"))).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> coreLog.isFinished() && grpcLogs.isDone());
        assertThat(node.rest().info().getStarted()).isFalse();
        TestingRestClient.Response stats = node.rest().call("GET", "/stats", users(false));
        assertThat(stats.status()).isEqualTo(503);
        assertThat(stats.errorCode()).isEqualTo("BACKEND_NOT_STARTED");
    }

    /**
     * Checks every line the node and the plugin logged at INFO since the class began, so it says most when it
     * runs last; alone, it checks what its own Start, syncs and bad user made the node log.
     */
    @Test
    void nothingTheNodeOrThePluginLoggedAtInfoNamesASecret() {
        node.rest().start(startXray(inbounds.otherPanelConfig("fresh-secrets"), panelUser("secret@x", "", ALL),
                panelUser("secret-too@x", "", ALL)));
        node.grpc().syncUsers(Users.newBuilder().addUsers(panelUser("secret@x", "2", ALL)).build());
        node.rest().call("PUT", "/user/sync", User.newBuilder().setEmail("frank@x")
                .setProxies(Proxy.newBuilder().setVless(Vless.newBuilder().setId(FRANKS_BAD_ID)))
                .addInbounds("vless-in").build());
        List<String> secrets = new ArrayList<>(List.of(node.apiKey(), FRANKS_BAD_ID));
        for (String email : EMAILS) {
            secrets.addAll(TestUsers.secrets(email, ""));
            secrets.addAll(TestUsers.secrets(email, "2"));
        }
        List<String> lines = nodeLogs.lines();

        assertThat(nodeLogs.linesOf("io.pgnode.plugin.xray.XrayBackend")).as("the plugin's own lines are captured")
                .anyMatch(line -> line.startsWith("INFO ") && line.contains("serves 2 users"));
        for (String secret : secrets) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
        }
    }

    /** Opens this test's stream of the running core's log, and the judge of its traffic by that stream. */
    private void followTheCoresLog() {
        closeTheLogStream();
        coreLog = node.rest().logs(false);
        assertThat(coreLog.status()).isEqualTo(200);
        traffic = new ProxiedTraffic(client, http, BYTES, coreLog::lines);
    }

    /** The one core the node runs: a v2ray child of this process in the backend's work directory. */
    private long theCore() {
        List<ProcessHandle> cores = RealV2ray.runningIn(node.workDirectory("xray"));
        assertThat(cores).as("v2ray processes of the node").hasSize(1);
        return cores.get(0).pid();
    }

    /** The port of the core's API, from the config DEBUG wrote (it changes with every core start). */
    private int coreApiPort() throws IOException {
        JsonNode config = new ObjectMapper().readTree(generatedConfig.resolve("xray_config.json").toFile());
        for (JsonNode inbound : config.path("inbounds")) {
            if (inbound.path("tag").asText().equals("api")) {
                return inbound.path("port").asInt();
            }
        }
        throw new AssertionError("no API inbound in the rendered config: " + config);
    }

    /** Asks both transports; they must answer alike (a list comes in the core's order, which varies). */
    private StatResponse onBothTransports(StatRequest request) {
        StatResponse rest = node.rest().stats(request);
        assertThat(node.grpc().getStats(request).getStatsList()).as("gRPC answers as REST does")
                .containsExactlyInAnyOrderElementsOf(rest.getStatsList());
        return rest;
    }

    private static List<String> grpcLogLines(TestingStreamObserver<Log> logs) {
        return logs.values().stream().map(Log::getDetail).toList();
    }

    /** Sends the messages on a client-streaming RPC and expects it to succeed. */
    private static <T> void clientStream(Function<StreamObserver<Empty>, StreamObserver<T>> rpc, List<T> messages) {
        TestingStreamObserver<Empty> answer = new TestingStreamObserver<>();
        StreamObserver<T> requests = rpc.apply(answer);
        messages.forEach(requests::onNext);
        requests.onCompleted();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(answer::isDone);
        assertThat(answer.status().isOk()).as(answer.status().toString()).isTrue();
    }

    private static StatusRuntimeException grpcFailure(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) thrown;
    }
}
