package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.TestingRestClient.Response;
import io.pgnode.host.grpc.GrpcErrors;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with the heap the launcher gives it on a 1 GiB machine (256 MiB, serial collector, exit on
 * OutOfMemoryError, as bin/pg-node starts it), in a JVM of its own: uploads that would take the heap are
 * refused with BODY_TOO_LARGE and it keeps serving, those too large on the wire and those within the wire limit
 * (16 MiB) that would take far more once parsed (80 MiB); an upload of panel-like users near 16 MiB goes through,
 * and so do fields the node does not know.
 */
class SmallHeapNodeTest {

    private static final long MIB = 1024 * 1024;

    @TempDir static Path temp;

    private static Process process;
    private static final List<String> output = new CopyOnWriteArrayList<>();
    private static TestingRestClient rest;
    private static ManagedChannel channel;
    private static String apiKey;

    @BeforeAll
    static void startTheNodeInASmallHeap() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        process = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), SmallHeapNodeMain.class.getName(),
                TestingBackendPlugin.pluginsDir(temp).toString())
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "small-heap-node-output");
        reader.setDaemon(true);
        reader.start();
        String ready = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> output.stream().filter(line -> line.startsWith("READY ")).findFirst().orElse(null),
                        line -> line != null || !process.isAlive());
        assertThat(ready).as("the node's output: %s", output).isNotNull();
        String[] fields = ready.split(" ");
        apiKey = fields[3];
        X509Certificate certificate;
        try (var in = Files.newInputStream(Path.of(fields[4]))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        rest = TestingRestClient.connect(URI.create("https://127.0.0.1:" + fields[1]), certificate, apiKey);
        channel = TestingNode.channelTo("127.0.0.1", Integer.parseInt(fields[2]), Path.of(fields[4]));
        rest.start(start("", user("a@x", "in-1")));
    }

    @AfterAll
    static void stopTheNode() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        process.getOutputStream().close(); // the node stops when its stdin ends
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHundredMegabyteChunkedUploadWithoutItsLastChunkIs413AndTheNodeLives() throws IOException {
        byte[] frames = frames(101 * MIB);

        Response answer = rest.callChunked("/users/sync/chunked", frames);

        assertThat(answer.status()).as("the node's output: %s", output).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).contains("(16 MiB: 1/16 of its heap");
        assertAlive();
    }

    @Test
    void theGrpcStreamsAreLimitedLikewise() {
        NodeServiceGrpc.NodeServiceStub grpc = TestingNode.asyncStub(channel, apiKey);
        TestingStreamObserver<Empty> answer = new TestingStreamObserver<>();
        StreamObserver<UsersChunk> upload = grpc.syncUsersChunked(answer);
        long sent = 0;
        for (int index = 0; sent <= 101 * MIB && !answer.isDone(); index++) {
            UsersChunk chunk = chunk(index, 4_000);
            upload.onNext(chunk);
            sent += chunk.getSerializedSize();
        }
        upload.onCompleted();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(answer::isDone);
        assertThat(answer.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(((StatusRuntimeException) answer.error()).getTrailers().get(GrpcErrors.ERROR_CODE))
                .isEqualTo("BODY_TOO_LARGE");

        Users oneMessage = Users.newBuilder().addAllUsers(chunk(0, 100_000).getUsersList()).build();
        assertThat((long) oneMessage.getSerializedSize()).isGreaterThan(16 * MIB);
        StatusRuntimeException refused = catchThrowableOfType(
                () -> TestingNode.blockingStub(channel, apiKey).syncUsers(oneMessage), StatusRuntimeException.class);
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("BODY_TOO_LARGE");
        assertAlive();
    }

    @Test
    void anUploadWithinTheLimitGoesThrough() throws IOException {
        List<UsersChunk> chunks = new java.util.ArrayList<>();
        long size = 0;
        for (int index = 0; index < 16; index++) {
            UsersChunk chunk = chunk(index, 4_000).toBuilder().setLast(index == 15).build();
            chunks.add(chunk);
            size += chunk.getSerializedSize();
        }
        assertThat(size).isBetween(15 * MIB, 16 * MIB);

        rest.syncUsersChunked(chunks);

        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(64_000);
        rest.syncUsers(Users.newBuilder().addUsers(user("a@x", "in-1")).build());
        assertAlive();
    }

    @Test
    void bytesWithinTheWireLimitThatWouldTakeTheHeapOnceParsedAreRefusedOnBothTransports() {
        byte[] emptyUsers = CostlyMessages.emptyUsers((int) (16 * MIB) - 1024); // 8.4 million users, ~340 MB parsed

        Response answer = rest.call("PUT", "/users/sync", emptyUsers);

        assertThat(answer.status()).as("the node's output: %s", output).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).startsWith("The request body would take about ")
                .contains("once read, more than this node gives one request (80 MiB: 5/16 of its heap");
        RawGrpc.Outcome grpc = RawGrpc.over(channel, apiKey).call("service.NodeService/SyncUsers", emptyUsers);
        assertThat(grpc.status().getCode()).as("the node's output: %s", output)
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(grpc.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertAlive();
    }

    @Test
    void chunkedUploadsOfChunksEachWithinTheLimitButTogetherTooCostlyAreRefusedOnBothTransports() {
        // seven chunks of 2 MiB, 14 MiB on the wire: each ~56 MiB parsed, all ~390 MiB
        List<byte[]> chunks = new java.util.ArrayList<>();
        for (int index = 0; index < 7; index++) {
            chunks.add(CostlyMessages.emptyUsersChunk(index, (int) (2 * MIB)));
        }

        Response answer = rest.callChunked("/users/sync/chunked", CostlyMessages.frames(chunks));

        assertThat(answer.status()).as("the node's output: %s", output).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(answer.errorMessage()).startsWith("The chunked user upload would take about ");
        RawGrpc.Outcome grpc = RawGrpc.over(channel, apiKey)
                .call("service.NodeService/SyncUsersChunked", chunks.toArray(byte[][]::new));
        assertThat(grpc.status().getCode()).as("the node's output: %s", output)
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(grpc.errorCode()).isEqualTo("BODY_TOO_LARGE");
        assertThat(grpc.status().getDescription()).startsWith("The chunked user upload would take about ");
        assertAlive();
    }

    @Test
    void fieldsTheNodeDoesNotKnowAreDroppedNotKept() {
        // kept, the unknown fields would take about 500 MB; the users themselves take about 30 MB
        Users users = CostlyMessages.usersWithUnknownFields(160_000, 20);
        assertThat((long) users.getSerializedSize()).isBetween(14 * MIB, 16 * MIB);

        rest.syncUsers(users);

        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(160_000);
        rest.syncUsers(Users.newBuilder().addUsers(user("a@x", "in-1")).build());
        assertAlive();
    }

    private static void assertAlive() {
        assertThat(process.isAlive()).as("the node's output: %s", output).isTrue();
        assertThat(rest.info().getStarted()).isTrue();
        assertThat(output).noneMatch(line -> line.contains("OutOfMemoryError"));
    }

    /** Frames of chunks of panel-like users (none marked last), about {@code bytes} in all. */
    private static byte[] frames(long bytes) throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream((int) bytes + (int) MIB);
        for (int index = 0; frames.size() < bytes; index++) {
            chunk(index, 4_000).writeDelimitedTo(frames);
        }
        return frames.toByteArray();
    }

    /** A chunk of users as a panel sends them (four accounts and four inbounds each), not marked last. */
    private static UsersChunk chunk(int index, int users) {
        return UsersChunk.newBuilder().setIndex(index)
                .addAllUsers(PanelUsers.of(index * users, users, PanelUsers.FOUR_INBOUNDS)).build();
    }
}
