package io.pgnode.host.grpc;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.chunk;
import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.pgnode.host.CapturedLogs;
import io.pgnode.host.CostlyMessages;
import io.pgnode.host.RawGrpc;
import io.pgnode.host.RawGrpc.Outcome;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a client (or an attacker) gets wrong at the protobuf level, sent over a real TLS channel as raw
 * bytes to the real method names: each is a clear status with the node's {@code error-code} trailer, the node's
 * state is untouched, and the log stays quiet.
 */
class MalformedRequestsTest {

    private static final byte[] GARBAGE = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
    private static final int SMALL_LIMIT = 64 * 1024;

    @TempDir Path temp;

    private final List<LogRecord> grpcLog = new CopyOnWriteArrayList<>();
    // java.util.logging keeps loggers weakly: hold it while its handler is attached
    private final Logger grpcLogger = Logger.getLogger("io.grpc");
    private final Handler grpcLogHandler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            grpcLog.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureGrpcJavasOwnLog() {
        grpcLogger.addHandler(grpcLogHandler);
    }

    @AfterEach
    void releaseTheLog() {
        grpcLogger.removeHandler(grpcLogHandler);
    }

    @Test
    void garbageToEveryMethodIsInvalidArgumentWithTheCodeAndNothingIsLogged() {
        try (TestingNode node = node(SMALL_LIMIT);
                CapturedLogs logs = CapturedLogs.of(GrpcErrors.class)) {
            node.grpc().start(start("", user("a@x", "in-1")));

            int calls = 0;
            for (MethodDescriptor<?, ?> method : NodeServiceGrpc.getServiceDescriptor().getMethods()) {
                Outcome outcome = call(node, method.getFullMethodName(), GARBAGE);
                assertThat(outcome.status().getCode()).as(method.getFullMethodName())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(outcome.errorCode()).as(method.getFullMethodName()).isEqualTo("INVALID_PROTOBUF");
                assertThat(outcome.status().getDescription()).startsWith("The request is not a valid ");
                calls++;
            }

            assertThat(calls).isGreaterThanOrEqualTo(13);
            assertThat(grpcLog).extracting(LogRecord::getMessage).isEmpty();
            assertThat(logs.lines()).isEmpty();
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");
        }
    }

    @Test
    void aGoodMessageAfterABadOneIsNotAppliedAndTheNextCallWorks() {
        try (TestingNode node = node(SMALL_LIMIT)) {
            node.grpc().start(start("", user("a@x", "in-1")));

            Outcome outcome = call(node, "service.NodeService/SyncUser", GARBAGE, user("b@x", "in-1").toByteArray());

            assertThat(outcome.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(outcome.errorCode()).isEqualTo("INVALID_PROTOBUF");
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");
            node.grpc().syncUsers(Users.newBuilder().addUsers(user("c@x", "in-1")).build());
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("c@x");
        }
    }

    @Test
    void aMessageOverTheLimitIsResourceExhaustedWithBodyTooLarge() {
        try (TestingNode node = node(SMALL_LIMIT)) {
            node.grpc().start(start("", user("a@x", "in-1")));
            Users tooMany = users(0, 2_000);
            assertThat(tooMany.getSerializedSize()).isGreaterThan(SMALL_LIMIT);

            Outcome outcome = call(node, "service.NodeService/SyncUsers", tooMany.toByteArray());

            assertThat(outcome.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(outcome.errorCode()).isEqualTo("BODY_TOO_LARGE");
            assertThat(outcome.status().getDescription())
                    .startsWith("The Users message is larger than this node takes (64 KiB");
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");
            assertThat(grpcLog).extracting(LogRecord::getMessage).isEmpty();
        }
    }

    @Test
    void aChunkedUploadOverTheLimitInAllIsResourceExhaustedWithBodyTooLarge() {
        // the wire limit alone: what the chunks cost once parsed is no bound here
        try (TestingNode node = node(new BodyLimit(SMALL_LIMIT, 64 << 20))) {
            node.grpc().start(start("", user("a@x", "in-1")));
            List<byte[]> chunks = new ArrayList<>();
            for (int index = 0; index < 10; index++) {
                UsersChunk chunk = UsersChunk.newBuilder().setIndex(index)
                        .addAllUsers(users(index * 200, 200).getUsersList()).build();
                assertThat(chunk.getSerializedSize()).isLessThan(SMALL_LIMIT);
                chunks.add(chunk.toByteArray());
            }

            Outcome outcome = call(node, "service.NodeService/SyncUsersChunked", chunks.toArray(byte[][]::new));

            assertThat(outcome.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(outcome.errorCode()).isEqualTo("BODY_TOO_LARGE");
            assertThat(outcome.status().getDescription()).startsWith("The chunked user upload is larger");
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");
            // an upload within the limit still goes through on the same node
            Outcome small = call(node, "service.NodeService/SyncUsersChunked",
                    chunk(0, true, user("b@x", "in-1")).toByteArray());
            assertThat(small.status().getCode()).isEqualTo(Status.Code.OK);
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("b@x");
        }
    }

    @Test
    void aMessageThatWouldCostFarMoreOnceParsedIsRefusedBeforeItIsParsed() {
        try (TestingNode node = node(SMALL_LIMIT)) {
            node.grpc().start(start("", user("a@x", "in-1")));

            // 30,720 empty users: 60 KiB on the wire, about 1.6 MiB parsed (the limit: 320 KiB)
            Outcome outcome = call(node, "service.NodeService/SyncUsers", CostlyMessages.emptyUsers(60 * 1024));

            assertThat(outcome.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(outcome.errorCode()).isEqualTo("BODY_TOO_LARGE");
            assertThat(outcome.status().getDescription()).startsWith("The Users message would take about ")
                    .contains("more than this node gives one request (320 KiB");
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");
            assertThat(grpcLog).extracting(LogRecord::getMessage).isEmpty();
        }
    }

    @Test
    void anUploadIsChargedForAllItsChunksOnceParsedAndAUserStreamForEachUser() {
        try (TestingNode node = node(SMALL_LIMIT)) {
            node.grpc().start(start("", user("a@x", "in-1")));
            // each chunk alone is within the parsed limit (about 280 KiB of 320), and all are 30 KiB on the wire
            byte[][] chunks = {CostlyMessages.emptyUsersChunk(0, 10 * 1024),
                    CostlyMessages.emptyUsersChunk(1, 10 * 1024), CostlyMessages.emptyUsersChunk(2, 10 * 1024)};

            Outcome upload = call(node, "service.NodeService/SyncUsersChunked", chunks);

            assertThat(upload.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(upload.errorCode()).isEqualTo("BODY_TOO_LARGE");
            assertThat(upload.status().getDescription()).startsWith("The chunked user upload would take about ");
            assertThat(emails(node.grpc().getStats(ALL_USERS))).containsExactly("a@x");

            // SyncUser applies each user as it comes: 300 users of 40 inbounds (about 700 KiB parsed in all) go in
            String[] inbounds = new String[40];
            java.util.Arrays.setAll(inbounds, i -> "in-" + i);
            byte[][] users = new byte[300][];
            for (int i = 0; i < users.length; i++) {
                users[i] = user("u" + i + "@x", inbounds).toByteArray();
            }
            Outcome stream = call(node, "service.NodeService/SyncUser", users);

            assertThat(stream.status().getCode()).isEqualTo(Status.Code.OK);
            assertThat(node.grpc().getStats(ALL_USERS).getStatsCount()).isEqualTo(301);
        }
    }

    private TestingNode node(int maxMessageBytes) {
        return node(BodyLimit.ofBytes(maxMessageBytes));
    }

    private TestingNode node(BodyLimit limit) {
        return TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .grpcLimits(limits -> new GrpcLimits(limit, limits.pingInterval(), limits.pingTimeout()))
                .start();
    }

    private static Users users(int first, int count) {
        Users.Builder users = Users.newBuilder();
        for (int i = first; i < first + count; i++) {
            users.addUsers(user("user-" + i + "@example.com", "in-1", "in-2"));
        }
        return users.build();
    }

    private static Outcome call(TestingNode node, String fullMethodName, byte[]... messages) {
        return RawGrpc.to(node).call(fullMethodName, messages);
    }
}
