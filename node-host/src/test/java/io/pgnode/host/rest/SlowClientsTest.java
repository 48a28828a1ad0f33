package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.host.Latencies;
import io.pgnode.host.RawHttps;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import io.pgnode.proto.Users;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that are slow or silent on purpose (or by a bad link): uploads that trickle, headers that never end,
 * connections that never send anything. None of them keeps the REST API from answering the others, and each
 * is answered or let go after its deadline.
 */
class SlowClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path temp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // before the fix, the REST API hung here
    void aHundredSlowUploadsLeaveTheApiAnswering() throws Exception {
        try (TestingNode node = node(limits -> limits)) {
            TestingRestClient rest = node.rest();
            rest.start(start("", user("a@x", "in-1")));
            Latencies idle = new Latencies("REST GET /info with no other client (for comparison)");
            for (int i = 0; i < 100; i++) {
                idle.time(rest::info);
            }
            idle.report();
            List<RawHttps> uploads = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    // small bodies and large ones (the node receives those one at a time), each only begun
                    int length = i % 3 == 0 ? 1_000_000 : 1_000;
                    RawHttps upload = RawHttps.connect(node, node.restPort());
                    upload.write(RawHttps.head(node, "PUT", "/users/sync", "Content-Length: " + length));
                    upload.write(new byte[] {0x0a});
                    uploads.add(upload);
                }

                Latencies info = new Latencies("REST GET /info with 100 slow uploads open");
                Latencies stats = new Latencies("REST GET /stats (UsersStat) with 100 slow uploads open");
                for (int i = 0; i < 100; i++) {
                    assertThat(info.time(rest::info).getStarted()).isTrue();
                    assertThat(stats.time(() -> rest.stats(ALL_USERS)).getStatsCount()).isOne();
                }
                info.report();
                stats.report();
                rest.syncUser(user("b@x", "in-1"));
                assertThat(emails(rest.stats(ALL_USERS))).containsExactly("a@x", "b@x");
                assertThat(rest.systemStats().getCpuCores()).isPositive();
            } finally {
                uploads.forEach(RawHttps::close);
            }
            // the large uploads' turn went with them: a large one goes through again
            Users many = manyUsers(2_000);
            assertThat(many.getSerializedSize()).isGreaterThan(RequestBodies.SMALL_BODY_BYTES);
            rest.syncUsers(many);
            assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(2_000);
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408AndTheConnectionCloses() throws Exception {
        try (TestingNode node = node(limits -> withBodyTimeout(limits, Duration.ofSeconds(1)))) {
            node.rest().start(start("", user("a@x", "in-1")));
            try (RawHttps small = RawHttps.connect(node, node.restPort());
                    RawHttps large = RawHttps.connect(node, node.restPort());
                    RawHttps waiting = RawHttps.connect(node, node.restPort());
                    RawHttps chunked = RawHttps.connect(node, node.restPort())) {
                small.write(RawHttps.head(node, "PUT", "/user/sync", "Content-Length: 100")).write(new byte[10]);
                large.write(RawHttps.head(node, "PUT", "/users/sync", "Content-Length: 1000000")).write(new byte[10]);
                waiting.write(RawHttps.head(node, "POST", "/start", "Content-Length: 1000000")).write(new byte[10]);
                chunked.write(RawHttps.head(node, "PUT", "/users/sync/chunked", "Transfer-Encoding: chunked"))
                        .write("3\r\nabc\r\n");

                for (RawHttps upload : List.of(small, large, waiting, chunked)) {
                    RawHttps.Response answer = upload.readResponse();
                    assertThat(answer.status()).isEqualTo(408);
                    assertThat(answer.headers()).containsEntry("content-type", "application/json")
                            .containsEntry("connection", "close");
                    JsonNode error = JSON.readTree(answer.body());
                    assertThat(error.path("code").asText()).isEqualTo("BODY_TIMEOUT");
                    assertThat(error.path("error").asText()).contains("did not arrive within 1 s");
                    assertThat(upload.closedByNode()).isTrue();
                }
            }
            assertThat(emails(node.rest().stats(ALL_USERS))).containsExactly("a@x");
        }
    }

    @Test
    void headersThatNeverEndAndConnectionsThatSendNothingAreClosed() throws Exception {
        try (TestingNode node = node(limits -> new RestLimits(limits.bodyLimit(), limits.bodyTimeout(),
                Duration.ofSeconds(1), Duration.ofSeconds(2), limits.largeBodies(), limits.waitingLargeBodies()))) {
            try (RawHttps dribbling = RawHttps.connect(node, node.restPort());
                    RawHttps silent = RawHttps.connect(node, node.restPort());
                    java.net.Socket noTls = new java.net.Socket("127.0.0.1", node.restPort())) {
                dribbling.write("GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-");
                noTls.setSoTimeout(RawHttps.READ_TIMEOUT_MILLIS);

                assertThat(dribbling.closedByNode()).isTrue();
                assertThat(silent.closedByNode()).isTrue();
                assertThat(noTls.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(node.rest().info().getNodeVersion()).isNotEmpty();
        }
    }

    private TestingNode node(java.util.function.UnaryOperator<RestLimits> limits) {
        return TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).restLimits(limits).start();
    }

    private static RestLimits withBodyTimeout(RestLimits limits, Duration timeout) {
        return new RestLimits(limits.bodyLimit(), timeout, limits.headerTimeout(), limits.idleTimeout(),
                limits.largeBodies(), limits.waitingLargeBodies());
    }

    private static Users manyUsers(int count) {
        Users.Builder users = Users.newBuilder();
        for (int i = 0; i < count; i++) {
            users.addUsers(user("user-" + i + "@example.com", "in-1", "in-2"));
        }
        return users.build();
    }
}
