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

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as it ships (the zip of the package phase) in a real node, driven over REST and gRPC as the
 * panel drives it, against the real v2fly core with real proxied traffic: a second v2ray is the client
 * (SOCKS on loopback → vmess/vless/trojan → the node's core → a local HTTP server). One node and one core
 * serve the whole story; the steps run in order. The core is found the way an operator finds it: the v2ray
 * child of the node's process, running in the backend's work directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XrayThroughNodeIT {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;
    private static final List<String> EMAILS = List.of("alice@x", "bob@x", "carol@x", "dave@x", "erin@x");
    private static final String FRANKS_BAD_ID = "frank-has-no-uuid-but-a-secret";

    private CapturedNodeLogs nodeLogs;
    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingV2rayClient client;
    private TestingNode node;
    private Path generatedConfig;
    private long corePid;
    private TestingLogStream restLogs;
    private TestingStreamObserver<Log> grpcLogs;

    @BeforeAll
    void startNode(@TempDir Path temp) throws Exception {
        nodeLogs = new CapturedNodeLogs();
        generatedConfig = temp.resolve("generated");
        node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .setting("DEBUG", "true")
                .setting("GENERATED_CONFIG_PATH", generatedConfig.toString())
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

    @AfterAll
    void stopNode() throws Exception {
        for (AutoCloseable open : new AutoCloseable[] {restLogs, client, node, http, nodeLogs}) {
            if (open != null) {
                open.close();
            }
        }
    }

    @Test
    @Order(1)
    void startsTheCoreFromThePluginZip() {
        BaseInfoResponse info = node.rest().start(startXray(inbounds.panelConfig(),
                panelUser("alice@x", "", ALL), panelUser("bob@x", "", ALL)));

        assertThat(info.getStarted()).isTrue();
        assertThat(info.getCoreVersion()).isEqualTo("4.34.0");
        assertThat(info.getCoreType()).isEqualTo("xray");
        assertThat(node.grpc().getBaseInfo(Empty.getDefaultInstance())).isEqualTo(info);
        corePid = theCore();
        assertThatThrownBy(() -> Class.forName("io.pgnode.plugin.xray.XrayBackend"))
                .as("the node gets the plugin from its zip only").isInstanceOf(ClassNotFoundException.class);
        assertThat(nodeLogs.lines()).anyMatch(line -> line.contains("Backend registered: xray (type 0, plugin xray)"))
                .noneMatch(line -> line.contains("skipped"));
    }

    @Test
    @Order(2)
    void everyUsersTrafficIsCountedAndBothTransportsReportTheSame() {
        assertServed("alice@x", "");
        assertServed("bob@x", "");

        for (String email : List.of("alice@x", "bob@x")) {
            Map<String, Long> traffic = byType(onBothTransports(user(email, false)), email);
            assertThat(traffic.get("uplink")).as(email + " uplink").isPositive();
            assertThat(traffic.get("downlink")).as(email + " downlink").isGreaterThanOrEqualTo(3L * BYTES);
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
    @Order(3)
    void aResetReturnsTheCountersThenZeroes() {
        StatResponse returned = node.rest().stats(users(true));

        assertThat(byType(returned, "alice@x").get("downlink")).isGreaterThanOrEqualTo(3L * BYTES);
        assertThat(byType(returned, "bob@x").get("uplink")).isPositive();
        assertThat(node.grpc().getStats(users(false)).getStatsList()).isNotEmpty()
                .allSatisfy(stat -> assertThat(stat.getValue()).as(stat.toString()).isZero());

        assertThat(byType(node.grpc().getStats(inbound("vless-in", true)), "vless-in").get("downlink"))
                .isGreaterThanOrEqualTo(2L * BYTES);
        assertThat(node.rest().stats(inbound("vless-in", false)).getStatsList()).isEqualTo(zeroTraffic("vless-in"));
    }

    @Test
    @Order(4)
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
    @Order(5)
    void removingAUsersInboundsOverRestCutsThemOffWhileOthersKeepWorking() {
        node.rest().syncUser(panelUser("bob@x", ""));

        assertRefused("bob@x", "");
        assertServed("alice@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    @Order(6)
    void aNewUserSyncedOverGrpcWorksAtOnceWithoutARestart() {
        assertRefused("carol@x", "");

        clientStream(node.grpcAsync()::syncUser, List.of(panelUser("carol@x", "", ALL)));

        assertThat(node.rest().stats(user("carol@x", false)).getStatsList()).as("known, no traffic yet")
                .isEqualTo(zeroTraffic("carol@x"));
        assertThat(node.grpc().getStats(user("carol@x", false)).getStatsList()).isEqualTo(zeroTraffic("carol@x"));
        assertServed("carol@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    @Order(7)
    void aFullSyncOverGrpcAppliesTheDifferenceLive() {
        node.grpc().syncUsers(Users.newBuilder().addUsers(panelUser("alice@x", "", ALL))
                .addUsers(panelUser("carol@x", "2", ALL)).addUsers(panelUser("dave@x", "", ALL)).build());

        assertServed("carol@x", "2"); // carol's new credentials
        assertRefused("carol@x", ""); // carol's old credentials
        assertServed("dave@x", "");
        assertServed("alice@x", "");
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    @Order(8)
    void aChunkedSyncOverRestAppliesTheDifferenceLive() {
        node.rest().syncUsersChunked(List.of(
                chunk(0, false, panelUser("alice@x", "", ALL), panelUser("bob@x", "", ALL)),
                chunk(1, true, panelUser("dave@x", "2", ALL))));

        assertServed("bob@x", ""); // bob is back
        assertServed("dave@x", "2");
        assertRefused("carol@x", "2"); // carol is not in the set
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    @Order(9)
    void aChunkedSyncOverGrpcAppliesTheDifferenceLive() {
        clientStream(node.grpcAsync()::syncUsersChunked, List.of(
                chunk(0, false, panelUser("alice@x", "", ALL)),
                chunk(1, true, panelUser("bob@x", "", ALL), panelUser("erin@x", "", ALL))));

        assertServed("erin@x", "");
        assertRefused("dave@x", "2"); // dave is not in the set
        assertThat(theCore()).as("no restart").isEqualTo(corePid);
    }

    @Test
    @Order(10)
    void badRequestsAreRefusedInWordsAndTheCoreKeepsServing() {
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
        assertServed("alice@x", "");
    }

    @Test
    @Order(11)
    void bothLogStreamsCarryTheCoresLines() throws Exception {
        restLogs = node.rest().logs(false);
        grpcLogs = new TestingStreamObserver<>();
        node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs);
        assertThat(restLogs.status()).isEqualTo(200);

        int socksPort = client.socksPort(TestingServerInbounds.route("alice@x", "", "vless"));
        String accessLine = "accepted tcp:127.0.0.1:" + http.port();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            // the streams attach asynchronously: a line is only theirs if it came after they did
            assertThat(Socks5Fetch.works(socksPort, http.port(), 1_000)).isTrue();
            assertThat(restLogs.lines()).anyMatch(line -> line.contains(accessLine));
            assertThat(grpcLogLines()).anyMatch(line -> line.contains(accessLine));
        });
    }

    @Test
    @Order(12)
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
    @Order(13)
    void aKilledCoreIsBackWithinSecondsWithEveryUser() throws Exception {
        int restLines = restLogs.lines().size();
        int grpcLines = grpcLogs.values().size();

        ProcessHandle.of(corePid).orElseThrow().destroyForcibly(); // SIGKILL

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
                RealV2ray.runningIn(node.workDirectory("xray")).stream().anyMatch(p -> p.pid() != corePid)
                        && node.rest().info().getStarted());
        long killed = corePid;
        corePid = theCore();
        assertThat(corePid).isNotEqualTo(killed);
        for (String email : List.of("alice@x", "bob@x", "erin@x")) {
            assertServed(email, "");
        }
        assertThat(nodeLogs.lines()).anyMatch(line -> line.contains("core restarted (the core exited unexpectedly")
                && line.contains("restart #1"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(restLogs.lines().subList(restLines, restLogs.lines().size()))
                    .as("the restarted core's lines reach the same stream").anyMatch(l -> l.startsWith("V2Ray 4.34.0"));
            assertThat(grpcLogLines().subList(grpcLines, grpcLogs.values().size()))
                    .anyMatch(l -> l.startsWith("V2Ray 4.34.0"));
        });
    }

    @Test
    @Order(14)
    void stopLeavesNoCoreProcessAndEndsTheLogStreams() {
        ProcessHandle core = ProcessHandle.of(corePid).orElseThrow();

        node.grpc().stop(Empty.getDefaultInstance());

        assertThat(core.isAlive()).isFalse();
        assertThat(RealV2ray.runningIn(node.workDirectory("xray"))).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> restLogs.isFinished() && grpcLogs.isDone());
        assertThat(node.rest().info().getStarted()).isFalse();
        TestingRestClient.Response stats = node.rest().call("GET", "/stats", users(false));
        assertThat(stats.status()).isEqualTo(503);
        assertThat(stats.errorCode()).isEqualTo("BACKEND_NOT_STARTED");
    }

    @Test
    @Order(15)
    void nothingTheNodeOrThePluginLoggedAtInfoNamesASecret() {
        List<String> secrets = new ArrayList<>(List.of(node.apiKey(), FRANKS_BAD_ID));
        for (String email : EMAILS) {
            secrets.addAll(TestUsers.secrets(email, ""));
            secrets.addAll(TestUsers.secrets(email, "2"));
        }
        List<String> lines = nodeLogs.lines();

        assertThat(lines).as("the plugin's own lines are captured")
                .anyMatch(line -> line.startsWith("INFO io.pgnode.plugin.xray.XrayBackend") && line.contains("serves 2 users"));
        for (String secret : secrets) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
        }
    }

    /** The one core the node runs: a v2ray child of this process in the backend's work directory. */
    private long theCore() {
        List<ProcessHandle> cores = RealV2ray.runningIn(node.workDirectory("xray"));
        assertThat(cores).as("v2ray processes of the node").hasSize(1);
        return cores.get(0).pid();
    }

    /** Every protocol carries the user's traffic with these credentials ("2": the second generation). */
    private void assertServed(String email, String generation) {
        assertThat(client.works(email, generation, http.port(), BYTES)).as("served").doesNotContainValue(false);
    }

    /** No protocol carries the user's traffic with these credentials. */
    private void assertRefused(String email, String generation) {
        assertThat(client.works(email, generation, http.port(), BYTES)).as("refused").doesNotContainValue(true);
    }

    /** Asks both transports; they must answer alike (a list comes in the core's order, which varies). */
    private StatResponse onBothTransports(StatRequest request) {
        StatResponse rest = node.rest().stats(request);
        assertThat(node.grpc().getStats(request).getStatsList()).as("gRPC answers as REST does")
                .containsExactlyInAnyOrderElementsOf(rest.getStatsList());
        return rest;
    }

    private List<String> grpcLogLines() {
        return grpcLogs.values().stream().map(Log::getDetail).toList();
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
