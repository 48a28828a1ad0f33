package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.TestUsers.panelUser;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.slf4j.LoggerFactory;

/**
 * A repeatable profile of issue 14's P4, run on demand and never in CI (not a test: a {@code main} in test scope):
 * the real node in this JVM with the built Xray plugin and the real v2fly core, a Start of {@code users} users in
 * the three inbounds of {@link TestingServerInbounds}, then {@code syncs} full SyncUsers over gRPC, each with a
 * different 1% of the users given new credentials. Only the syncs are recorded with JFR (the "profile" settings);
 * each sync's time and the JVM's CPU time during it are printed, and {@code UserSync}'s own line says how much of it
 * went to the core's calls.
 *
 * <p>Run it with the launcher's JVM options, so that the collector works as it does in an installation, e.g.:
 * <pre>
 * mvn -o -q -pl plugins/xray -am package -DskipTests
 * mvn -o -q -pl plugins/xray dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -XX:+UseSerialGC -Xms16m -XX:MaxRAMPercentage=25 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 \
 *     -Dpgnode.pluginZip=plugins/xray/target/xray-plugin-1.0.0.zip \
 *     -cp plugins/xray/target/test-classes:plugins/xray/target/classes:$(cat /tmp/cp.txt) \
 *     io.pgnode.plugin.xray.SyncAtScaleProfile 100000 3 /tmp/p4.jfr
 * jfr print --events jdk.ExecutionSample /tmp/p4.jfr   # or: jfr summary /tmp/p4.jfr
 * </pre>
 * The client's side (building and sending the message) runs in the same JVM: its frames are the client's stubs and
 * {@code io.pgnode.proto} builders, and its share is small next to the node's.
 */
public final class SyncAtScaleProfile {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);

    private SyncAtScaleProfile() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int syncs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path recordingFile = args.length > 2 ? Path.of(args[2]) : null;
        int changed = Math.max(1, users / 100);
        ((Logger) LoggerFactory.getLogger("io.pgnode")).setLevel(Level.INFO);
        Path temp = Files.createTempDirectory("sync-at-scale");
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        try (TestingNode node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .start()) {
            long began = System.nanoTime();
            boolean started = node.grpc().withDeadlineAfter(10, TimeUnit.MINUTES)
                    .start(startXray(inbounds.panelConfig(), set(users, changed, 0).toArray(User[]::new)))
                    .getStarted();
            System.out.printf("Start of %d users: %s in %.2f s%n", users, started, seconds(began));
            long corePid = theCore(node);
            Recording recording = null;
            if (recordingFile != null) {
                recording = new Recording(Configuration.getConfiguration("profile"));
                recording.start();
            }
            try {
                for (int sync = 0; sync < syncs; sync++) {
                    byte[] message = Users.newBuilder().addAllUsers(set(users, changed, sync + 1)).build().toByteArray();
                    long cpu = processCpuNanos();
                    began = System.nanoTime();
                    syncUsers(node, message);
                    double wall = seconds(began);
                    double cpuSeconds = (processCpuNanos() - cpu) / 1e9;
                    if (theCore(node) != corePid) {
                        throw new IllegalStateException("the core was restarted: the sync must apply live");
                    }
                    System.out.printf("SyncUsers %d of %d users, %d changed: %.2f s (JVM CPU %.2f s)%n", sync + 1,
                            users, changed, wall, cpuSeconds);
                }
            } finally {
                if (recording != null) {
                    recording.stop();
                    recording.dump(recordingFile);
                    recording.close();
                    System.out.println("recording: " + recordingFile);
                }
            }
        }
    }

    /**
     * Every user in every inbound, as they are after {@code syncs} syncs: sync number s gave users
     * [(s - 1) × changed, s × changed) the credentials of generation s, so each sync changes {@code changed} users.
     */
    private static List<User> set(int users, int changed, int syncs) {
        List<User> set = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            int generation = i < syncs * changed ? i / changed + 1 : 0;
            set.add(panelUser("u" + i + "@scale", generation == 0 ? "" : String.valueOf(generation), ALL));
        }
        return set;
    }

    /**
     * SyncUsers with the message already encoded: the client's side holds one array, not 100,000 parsed users,
     * so that this JVM's collector works for the node as the node's own would.
     */
    private static void syncUsers(TestingNode node, byte[] message) {
        NodeServiceGrpc.NodeServiceBlockingStub stub = node.grpc();
        MethodDescriptor<Users, Empty> typed = NodeServiceGrpc.getSyncUsersMethod();
        MethodDescriptor<byte[], Empty> encoded = typed.toBuilder(EncodedMessage.INSTANCE, typed.getResponseMarshaller())
                .build();
        ClientCalls.blockingUnaryCall(stub.getChannel(), encoded,
                stub.getCallOptions().withDeadlineAfter(10, TimeUnit.MINUTES), message);
    }

    /** A message's bytes, sent as they are. */
    private enum EncodedMessage implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            throw new UnsupportedOperationException("requests only");
        }
    }

    private static long theCore(TestingNode node) {
        List<ProcessHandle> cores = RealV2ray.runningIn(node.workDirectory("xray"));
        if (cores.size() != 1) {
            throw new IllegalStateException(cores.size() + " v2ray processes under the node, not one");
        }
        return cores.get(0).pid();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
