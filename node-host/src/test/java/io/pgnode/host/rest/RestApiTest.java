package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.chunk;
import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.journalAfter;
import static io.pgnode.host.TestingBackendPlugin.journaledProxies;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.TestingRestClient.Response;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every REST route over TLS with a real HTTP/1.1 client, against a node running the testing plugin. */
class RestApiTest {

    private static final String PROTOBUF = "application/x-protobuf";

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder()
                .pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .setting("TESTING_GREETING", "hello")
                .setting("TESTING_SECRET", "s3cret")
                .setting("XRAY_EXECUTABLE_PATH", "/not/for/this/plugin")
                .start();
        rest = node.rest();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackendWithTwoUsers() {
        rest.start(start("", user("a@x", "in-1"), user("b@x", "in-1", "in-2")));
    }

    @Test
    void startAnswersBaseInfoAndHandsTheBackendTheRequest() {
        int mark = journal(node).size();
        Backend request = start("{\"coreVersion\": \"9.9.9\"}", user("c@x", "in-1")).toBuilder()
                .addExcludeInbounds("untouched")
                .build();

        Response response = rest.call("POST", "/start", request);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo(PROTOBUF);
        assertThat(response.as(BaseInfoResponse.parser())).isEqualTo(BaseInfoResponse.newBuilder()
                .setStarted(true).setCoreVersion("9.9.9").setNodeVersion("1.0.0").setCoreType("testing").build());
        // the new backend is created (and its config checked) before the running one is closed
        assertThat(journalAfter(node, mark)).containsExactly(
                "create users=[c@x] excluded=[untouched] settings={TESTING_GREETING=hello, TESTING_SECRET=s3cret}"
                        + " jackson=plugin host-classes=hidden",
                "checkConfig",
                "drain [USER, INBOUND, OUTBOUND]",
                "close",
                "start tccl=plugin");
    }

    @Test
    void theStartLogShowsPluginSettingsWithSecretsMasked() {
        try (CapturedLogs logs = CapturedLogs.of(NodeService.class)) {
            rest.start(start("{\"coreVersion\": \"1.0.1\"}")); // another config: a new backend starts

            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("INFO Backend testing started")
                    .contains("settings {TESTING_GREETING=hello, TESTING_SECRET=***}"));
            assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).contains("s3cret"));
        }
    }

    @Test
    void infoReportsTheRunningBackend() {
        Response response = rest.call("GET", "/info", (Empty) null);

        assertThat(response.contentType()).isEqualTo(PROTOBUF);
        assertThat(response.as(BaseInfoResponse.parser())).isEqualTo(BaseInfoResponse.newBuilder()
                .setStarted(true).setCoreVersion("1.0.0-testing").setNodeVersion("1.0.0").setCoreType("testing")
                .build());
    }

    @Test
    void statsAnswerFromTheBackendsUserSetAtBothPaths() {
        StatRequest users = StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build();
        int mark = journal(node).size();

        StatResponse stats = rest.stats(users);
        Response slashed = rest.call("GET", "/stats/", users);

        assertThat(stats.getStatsList()).containsExactly(stat("a@x", "uplink", 100), stat("b@x", "uplink", 200));
        assertThat(slashed.status()).isEqualTo(200);
        assertThat(slashed.as(StatResponse.parser())).isEqualTo(stats);
        assertThat(journalAfter(node, mark)).containsExactly("stats USERS name= reset=true", "stats USERS name= reset=true");
        // a single target answers both directions, zero for the one without traffic
        assertThat(rest.stats(StatRequest.newBuilder().setType(StatType.UserStat).setName("b@x").build())
                .getStatsList()).containsExactly(stat("b@x", "downlink", 0), stat("b@x", "uplink", 200));
        assertThat(rest.stats(StatRequest.newBuilder().setType(StatType.Inbounds).build()).getStatsList())
                .containsExactly(stat("in-1", "downlink", 2), stat("in-2", "downlink", 1));
    }

    @Test
    void aGetWithAnEmptyBodyIsTheDefaultRequest() {
        Response response = rest.call("GET", "/stats", new byte[0]);

        assertThat(response.as(StatResponse.parser()).getStatsList()).containsExactly(stat("direct", "uplink", 7));
        assertThat(journal(node)).last().isEqualTo("stats OUTBOUNDS name= reset=false");
    }

    @Test
    void statsOfAnUnknownUserAre404AndAUserStatWithoutNameIs400() {
        assertError(rest.call("GET", "/stats", StatRequest.newBuilder().setType(StatType.UserStat).setName("nobody")
                .build()), 404, "NOT_FOUND");
        assertError(rest.call("GET", "/stats", StatRequest.newBuilder().setType(StatType.UserStat).build()),
                400, "INVALID_STAT_REQUEST");
    }

    @Test
    void onlineStatsOfAUser() {
        StatRequest b = StatRequest.newBuilder().setType(StatType.UserStat).setName("b@x").build();

        assertThat(rest.userOnlineStats(b).getValue()).isEqualTo(2);
        assertThat(rest.userOnlineStats(b).getName()).isEqualTo("b@x");
        assertThat(rest.userOnlineIps(b).getIpsMap())
                .isEqualTo(Map.of("10.0.0.1", 1_700_000_001L, "10.0.0.2", 1_700_000_002L));
        assertError(rest.call("GET", "/stats/user/online", b.toBuilder().setName("nobody").build()), 404, "NOT_FOUND");
        assertError(rest.call("GET", "/stats/user/online_ip", StatRequest.getDefaultInstance()), 400, "MISSING_EMAIL");
    }

    @Test
    void latencyBackendAndSystemStats() {
        assertThat(rest.outboundsLatency(LatencyRequest.getDefaultInstance()).getLatencies(0).getDelay()).isEqualTo(12);
        assertThat(rest.backendStats().getNumGoroutine()).isEqualTo(2); // the testing backend reports its user count
        assertThat(rest.backendStats().getUptime()).isEqualTo(42);
        SystemStatsResponse system = rest.systemStats();
        assertThat(system.getCpuCores()).isPositive();
        assertThat(system.getMemTotal()).isGreaterThan(system.getMemUsed());
        assertThat(system.getMemUsed()).isPositive();
    }

    @Test
    void syncOneUserAddsChangesAndRemoves() {
        rest.syncUser(user("c@x", "in-2"));
        assertThat(userEmails()).containsExactly("a@x", "b@x", "c@x");

        rest.syncUser(user("a@x"));
        assertThat(userEmails()).containsExactly("b@x", "c@x");
        assertThat(journal(node)).contains("syncUser a@x inbounds=[] " + journaledProxies("a@x"));
    }

    @Test
    void syncUsersReplacesTheWholeSet() {
        rest.syncUsers(Users.newBuilder().addUsers(user("x@x", "in-1")).addUsers(user("y@x", "in-1")).build());

        assertThat(journal(node)).last().isEqualTo("replaceUsers [x@x, y@x]");
        assertThat(userEmails()).containsExactly("x@x", "y@x");
    }

    @Test
    void chunkedUploadIsAssembledInIndexOrder() {
        rest.syncUsersChunked(List.of(
                chunk(1, true, user("z@x", "in-1")),
                chunk(0, false, user("y@x", "in-1"), user("x@x", "in-1"))));

        assertThat(journal(node)).last().isEqualTo("replaceUsers [y@x, x@x, z@x]");
    }

    @Test
    void anEmptyChunkedUploadRemovesEveryUser() {
        rest.syncUsersChunked(List.of(chunk(0, true)));

        assertThat(userEmails()).isEmpty();
    }

    @Test
    void badChunkedUploadsAre400AndChangeNothing() throws Exception {
        byte[] good = frames(chunk(0, false, user("x@x", "in-1")), chunk(1, true, user("y@x", "in-1")));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        byte[] garbageFrame = {5, 1, 2, 3, 4, 5};
        int mark = journal(node).size();

        assertError(rest.callChunked("/users/sync/chunked", truncated), 400, "INVALID_CHUNKS");
        assertError(rest.callChunked("/users/sync/chunked", frames(chunk(0, false))), 400, "INVALID_CHUNKS");
        assertError(rest.callChunked("/users/sync/chunked", frames(chunk(0, false), chunk(0, true))), 400,
                "INVALID_CHUNKS");
        assertError(rest.callChunked("/users/sync/chunked", frames(chunk(0, false), chunk(2, true))), 400,
                "INVALID_CHUNKS");
        assertError(rest.callChunked("/users/sync/chunked", new byte[0]), 400, "INVALID_CHUNKS");
        assertError(rest.callChunked("/users/sync/chunked", garbageFrame), 400, "INVALID_PROTOBUF");

        assertThat(journalAfter(node, mark)).isEmpty();
        assertThat(userEmails()).containsExactly("a@x", "b@x");
    }

    @Test
    void garbageBodiesAre400AndTheNodeKeepsServing() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        for (String[] route : new String[][] {{"POST", "/start"}, {"GET", "/stats"}, {"GET", "/stats/latency"},
                {"GET", "/stats/user/online"}, {"GET", "/stats/user/online_ip"}, {"PUT", "/user/sync"},
                {"PUT", "/users/sync"}}) {
            Response response = rest.call(route[0], route[1], garbage);
            assertError(response, 400, "INVALID_PROTOBUF");
            assertThat(response.errorMessage()).contains("not a valid");
        }
        assertThat(rest.info().getStarted()).isTrue();
        assertThat(userEmails()).containsExactly("a@x", "b@x");
    }

    @Test
    void aSyncOfThirtyThousandUsersInOneBodyArrivesWhole() {
        Users.Builder users = Users.newBuilder();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            emails.add("user-number-" + i + "@example.com");
            users.addUsers(user(emails.get(i), "in-1", "in-2", "in-3"));
        }
        assertThat(users.build().getSerializedSize()).as("beyond Undertow's own 2 MB default").isGreaterThan(2 << 20);

        rest.syncUsers(users.build());

        assertThat(journal(node)).last().isEqualTo("replaceUsers " + emails);
    }

    @Test
    void aBodyOverTheLimitIs413AndChangesNothing() {
        // a Users message whose one user claims more bytes than the node takes: a valid start, then too much
        byte[] tooBig = new byte[(int) BodyLimit.forThisJvm().maxBytes() + 1];
        tooBig[0] = 0x0a;
        tooBig[1] = (byte) 0xff;
        tooBig[2] = (byte) 0xff;
        tooBig[3] = (byte) 0xff;
        tooBig[4] = 0x1f;

        assertError(rest.call("PUT", "/users/sync", tooBig), 413, "BODY_TOO_LARGE");

        assertThat(userEmails()).containsExactly("a@x", "b@x");
        assertThat(rest.info().getStarted()).isTrue();
    }

    @Test
    void usersWithoutEmailAndUnknownBackendTypesAre400() {
        assertError(rest.call("PUT", "/user/sync", User.newBuilder().addInbounds("in-1").build()), 400, "MISSING_EMAIL");
        assertError(rest.call("PUT", "/users/sync", Users.newBuilder().addUsers(user("ok@x", "in-1"))
                .addUsers(User.getDefaultInstance()).build()), 400, "MISSING_EMAIL");
        Response unknownType = rest.call("POST", "/start", Backend.newBuilder().setTypeValue(42).build());
        assertError(unknownType, 400, "UNKNOWN_BACKEND_TYPE");
        assertThat(unknownType.errorMessage()).contains("type 42").contains("testing (type 100)");
        assertThat(userEmails()).containsExactly("a@x", "b@x");
    }

    @Test
    void backendFailuresMapToTheirStatuses() {
        rest.start(start("{\"fail\": {\"stats\": \"RUNTIME\", \"syncUser\": \"INVALID_USER\","
                + " \"replaceUsers\": \"FAILURE\"}, \"abilities\": false}", user("a@x", "in-1")));

        Response crash = rest.call("GET", "/stats", (Empty) null);
        assertError(crash, 500, "BACKEND_FAILURE");
        assertThat(crash.errorMessage())
                .isEqualTo("The testing backend failed unexpectedly while reading traffic stats (IllegalStateException:"
                        + " testing backend told to break in stats); the node's log has the details.");
        assertError(rest.call("PUT", "/user/sync", user("a@x", "in-1")), 400, "INVALID_USER");
        Response failure = rest.call("PUT", "/users/sync", Users.getDefaultInstance());
        assertError(failure, 500, "BACKEND_FAILURE");
        assertThat(failure.errorMessage()).isEqualTo("testing backend refused replaceUsers");
        assertError(rest.call("GET", "/stats/user/online", StatRequest.newBuilder().setName("a@x").build()), 501,
                "UNSUPPORTED");
        assertError(rest.call("GET", "/stats/backend", (Empty) null), 501, "UNSUPPORTED");
        Response config = rest.call("POST", "/start", start("{not json"));
        assertError(config, 400, "INVALID_CONFIG");
        assertThat(rest.info().getStarted()).isTrue();
    }

    @Test
    void unknownRoutesAre404AndWrongMethods405AsJson() {
        assertError(rest.call("GET", "/nope", (Empty) null), 404, "NOT_FOUND");
        assertError(rest.call("GET", "/info/extra", (Empty) null), 404, "NOT_FOUND");
        Response wrongMethod = rest.call("POST", "/info", (Empty) null);
        assertError(wrongMethod, 405, "METHOD_NOT_ALLOWED");
        assertThat(wrongMethod.headers()).containsEntry("allow", "GET");
        assertError(rest.call("GET", "/users/sync/chunked", (Empty) null), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void logsStreamOneFlushedLinePerCoreLineAndEndOnStop() {
        try (TestingLogStream logs = rest.logs(false)) {
            assertThat(logs.status()).isEqualTo(200);
            assertThat(logs.contentType()).startsWith("text/plain");

            say("first line");
            say("second line");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> logs.lines().size() >= 2);
            assertThat(logs.isFinished()).isFalse();

            rest.stop();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(logs::isFinished);
            assertThat(logs.lines()).containsExactly("first line", "second line");
        }
    }

    @Test
    void logsSpeakServerSentEventsToClientsThatAskForThem() {
        try (TestingLogStream logs = rest.logs(true)) {
            assertThat(logs.contentType()).isEqualTo("text/event-stream");

            say("an event");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> logs.lines().size() >= 2);

            rest.start(start("{\"coreVersion\": \"2.0.0\"}")); // a new backend stops the one the stream belonged to
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(logs::isFinished);
            assertThat(logs.lines()).containsExactly("data: an event", "");
        }
    }

    @Test
    void aClientOfferingOnlyH2GetsHttp11() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", node.restPort());
                SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                        .createSocket(tcp, "127.0.0.1", node.restPort(), true)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();

            assertThat(tls.getApplicationProtocol()).isEmpty();
            OutputStream out = tls.getOutputStream();
            out.write(("GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + node.apiKey()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(statusLine).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    private static void say(String line) {
        rest.outboundsLatency(TestingBackendPlugin.say(line));
    }

    private static List<String> userEmails() {
        return emails(rest.stats(ALL_USERS));
    }

    private static void assertError(Response response, int status, String code) {
        assertThat(response.status()).as("status of %s", new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/json");
        assertThat(response.errorCode()).isEqualTo(code);
        assertThat(response.errorMessage()).isNotBlank().doesNotContain("\tat ").doesNotContain("Exception\n");
    }

    private static Stat stat(String name, String type, long value) {
        return Stat.newBuilder().setName(name).setType(type).setLink("traffic").setValue(value).build();
    }

    private static byte[] frames(UsersChunk... chunks) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (UsersChunk chunk : chunks) {
            chunk.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }
}
