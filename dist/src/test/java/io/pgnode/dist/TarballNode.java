package io.pgnode.dist;

import io.grpc.ManagedChannel;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A run of the tarball's node and a panel's two clients of it (REST and gRPC, over TLS, with the node's
 * certificate and API key as the panel line names them). The key is read from DATA_DIR ({@code data} by default),
 * where the node keeps it: later runs print it masked.
 */
final class TarballNode implements AutoCloseable {

    private static final Duration BOOT = Duration.ofSeconds(60);

    final TestingNodeProcess node;
    final TestingRestClient rest;
    final NodeServiceGrpc.NodeServiceBlockingStub grpc;
    private final ManagedChannel channel;

    private TarballNode(TestingNodeProcess node, TestingRestClient rest, ManagedChannel channel,
            NodeServiceGrpc.NodeServiceBlockingStub grpc) {
        this.node = node;
        this.rest = rest;
        this.channel = channel;
        this.grpc = grpc;
    }

    /** Starts the launcher in {@code work} with these settings and connects once it printed the panel line. */
    static TarballNode boot(TestingDistribution distribution, Path work, Map<String, String> settings) throws Exception {
        TestingNodeProcess node = distribution.start(work, settings);
        try {
            PrintedPanelLine line = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, BOOT));
            String apiKey = Files.readString(work.resolve("data/api_key")).strip();
            TestingRestClient rest = TestingRestClient.connect(URI.create("https://" + line.authority(line.restPort())),
                    DistributionSmokeIT.readCertificate(line.certificate()), apiKey);
            ManagedChannel channel = TestingNode.channelTo(line.address(), line.grpcPort(), line.certificate());
            return new TarballNode(node, rest, channel, TestingNode.blockingStub(channel, apiKey));
        } catch (Exception | AssertionError e) {
            node.close();
            throw e;
        }
    }

    /** The panel's users poll: {@code UsersStat}, with or without reset. */
    static StatRequest usersStat(boolean reset) {
        return StatRequest.newBuilder().setType(StatType.UsersStat).setReset(reset).build();
    }

    /** One name's stats by type ({@code uplink}, {@code downlink}). */
    static Map<String, Long> byType(StatResponse stats, String name) {
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.getStatsList().stream().filter(s -> s.getName().equals(name))
                .forEach(s -> byType.merge(s.getType(), s.getValue(), Long::sum));
        return byType;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            node.close();
        }
    }
}
