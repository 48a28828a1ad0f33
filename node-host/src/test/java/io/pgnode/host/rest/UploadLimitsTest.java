package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.CostlyMessages;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.TestingRestClient.Response;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The body limit holds for a whole chunked upload, not only for each frame of it, and for what a body would cost
 * once parsed, not only for its bytes (256 KiB on the wire, 1.25 MiB parsed here).
 */
class UploadLimitsTest {

    private static final int LIMIT = 256 * 1024;

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .restLimits(limits -> new RestLimits(BodyLimit.ofBytes(LIMIT), limits.bodyTimeout(),
                        limits.headerTimeout(), limits.idleTimeout(), limits.largeBodies(), limits.waitingLargeBodies()))
                .start();
        rest = node.rest();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackend() {
        rest.start(start("", user("a@x", "in-1")));
    }

    @Test
    void aChunkedUploadThatNeverEndsIs413WhenItPassesTheLimitInAll() throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int index = 0; frames.size() <= 4 * LIMIT; index++) {
            UsersChunk.Builder chunk = UsersChunk.newBuilder().setIndex(index); // never last
            for (int i = 0; i < 100; i++) {
                chunk.addUsers(user("user-" + index + "-" + i + "@example.com", "in-1", "in-2"));
            }
            assertThat(chunk.build().getSerializedSize()).isLessThan(LIMIT);
            chunk.build().writeDelimitedTo(frames);
        }

        Response answer = rest.callChunked("/users/sync/chunked", frames.toByteArray());

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).startsWith("The request body is larger than this node takes (256 KiB");
        assertThat(emails(rest.stats(ALL_USERS))).containsExactly("a@x");
    }

    @Test
    void aChunkedUploadWithinTheLimitStillGoesThrough() {
        rest.syncUsersChunked(List.of(
                UsersChunk.newBuilder().setIndex(0).addUsers(user("b@x", "in-1")).build(),
                UsersChunk.newBuilder().setIndex(1).setLast(true).addUsers(user("c@x", "in-1")).build()));

        assertThat(emails(rest.stats(ALL_USERS))).containsExactly("b@x", "c@x");
    }

    @Test
    void aBodyAnnouncedOverTheLimitIs413BeforeItIsRead() {
        Response answer = rest.call("PUT", "/users/sync", new byte[LIMIT + 1]);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(emails(rest.stats(ALL_USERS))).containsExactly("a@x");
    }

    @Test
    void aBodyThatWouldCostFarMoreOnceParsedIs413BeforeItIsParsed() {
        byte[] emptyUsers = CostlyMessages.emptyUsers(LIMIT - 1024); // 130,560 users: about 7 MiB parsed

        Response answer = rest.call("PUT", "/users/sync", emptyUsers);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).startsWith("The request body would take about ")
                .contains("of memory once read, more than this node gives one request (1.3 MiB");
        assertThat(emails(rest.stats(ALL_USERS))).containsExactly("a@x");
    }

    @Test
    void aChunkedUploadWhoseChunksTogetherWouldCostTooMuchOnceParsedIs413() {
        // each chunk alone is within the parsed limit (about 1.1 MiB of 1.25), and all are 120 KiB on the wire
        byte[] frames = CostlyMessages.frames(List.of(CostlyMessages.emptyUsersChunk(0, 40 * 1024),
                CostlyMessages.emptyUsersChunk(1, 40 * 1024), CostlyMessages.emptyUsersChunk(2, 40 * 1024)));

        Response answer = rest.callChunked("/users/sync/chunked", frames);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).startsWith("The chunked user upload would take about ");
        assertThat(emails(rest.stats(ALL_USERS))).containsExactly("a@x");
    }

    @Test
    void fieldsTheNodeDoesNotKnowCostNothing() {
        Users users = CostlyMessages.usersWithUnknownFields(2_000, 20);
        assertThat(users.getSerializedSize()).isBetween(LIMIT / 2, LIMIT);

        rest.syncUsers(users);

        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(2_000);
    }
}
