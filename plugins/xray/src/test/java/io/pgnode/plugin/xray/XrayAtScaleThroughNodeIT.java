package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.byType;
import static io.pgnode.plugin.xray.PanelRequests.chunk;
import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.PanelRequests.users;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node at a scale the panel really sends, sized for CI: 20,000 users, each in the vmess, vless and trojan
 * inbounds of the real v2fly core, started over gRPC and then replaced by a chunked upload over REST whose
 * chunks arrive out of order. Real traffic through a second v2ray proves the core holds what the node says.
 *
 * <p>Each test starts the 20,000 users itself and runs alone; the order only saves time: after the first test,
 * the second one's Start of the same set is applied to the running core instead of starting another (~10 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XrayAtScaleThroughNodeIT {

    private static final int USERS = 20_000;
    private static final int CHUNK_SIZE = 500;
    private static final int BYTES = 20_000;
    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    /** The first, a middle and the last user of the set; the first changes in the chunked sync. */
    private static final String FIRST = email(0);
    private static final String MIDDLE = email(USERS / 2);
    private static final String LAST = email(USERS - 1);

    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingV2rayClient client;
    private TestingNode node;
    private long corePid;
    private TestingLogStream coreLog;

    @BeforeAll
    void startNode(@TempDir Path temp) throws Exception {
        node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .start();
        http = new TestingHttpServer();
        inbounds = TestingServerInbounds.onFreePorts();
        List<TestingV2rayClient.Route> routes = new ArrayList<>();
        for (String generation : List.of("", "2", "3")) {
            routes.addAll(inbounds.routes(FIRST, generation));
        }
        routes.addAll(inbounds.routes(MIDDLE, ""));
        routes.addAll(inbounds.routes(LAST, ""));
        client = TestingV2rayClient.start(routes);
    }

    @AfterAll
    void stopNode() throws Exception {
        for (AutoCloseable open : new AutoCloseable[] {coreLog, client, node, http}) {
            if (open != null) {
                open.close();
            }
        }
    }

    @Test
    @Order(1)
    void aStartWithTwentyThousandUsersServesEachOfThem() {
        if (node.rest().info().getStarted()) {
            node.rest().stop(); // this test is about a Start that starts the core
        }

        BaseInfoResponse info = startTheWholeSet();

        assertThat(info.getStarted()).isTrue();
        corePid = theCore();
        ProxiedTraffic traffic = followTheCoresLog();
        for (String email : List.of(FIRST, MIDDLE, LAST)) {
            traffic.assertServed(email, "");
        }
        StatResponse usage = node.grpc().getStats(users(false));
        assertThat(usage.getStatsList()).extracting(io.pgnode.proto.Stat::getName).as("only those who made traffic")
                .containsOnly(FIRST, MIDDLE, LAST);
        for (String email : List.of(FIRST, MIDDLE, LAST)) {
            assertThat(byType(usage, email).get("downlink")).as(email).isGreaterThanOrEqualTo(3L * BYTES);
        }
    }

    @Test
    @Order(2)
    void aChunkedSyncOfTwentyThousandUsersArrivingOutOfOrderIsAppliedInIndexOrderAndLive() {
        // the whole set again, the first user twice: "2" credentials in an early chunk, "3" in the last one;
        // index order makes "3" the one that counts, whatever order the chunks travel in
        List<User> users = new ArrayList<>(USERS + 1);
        users.add(panelUser(FIRST, "2", ALL));
        for (int i = 1; i < USERS; i++) {
            users.add(panelUser(email(i), "", ALL));
        }
        users.add(panelUser(FIRST, "3", ALL));
        List<UsersChunk> chunks = new ArrayList<>();
        for (int from = 0, index = 0; from < users.size(); from += CHUNK_SIZE, index++) {
            List<User> part = users.subList(from, Math.min(users.size(), from + CHUNK_SIZE));
            chunks.add(chunk(index, from + CHUNK_SIZE >= users.size(), part.toArray(User[]::new)));
        }
        Collections.shuffle(chunks, new Random(20_000));
        assertThat(chunks.get(0).getIndex()).as("sent out of order").isNotZero();
        assertThat(startTheWholeSet().getStarted()).isTrue();
        corePid = theCore();
        ProxiedTraffic traffic = followTheCoresLog();

        node.rest().syncUsersChunked(chunks);

        assertThat(theCore()).as("applied live: the same core").isEqualTo(corePid);
        traffic.assertServed(FIRST, "3");
        traffic.assertRefused(FIRST, "");
        traffic.assertRefused(FIRST, "2");
        traffic.assertServed(MIDDLE, "");
        traffic.assertServed(LAST, "");
    }

    /** Every user in every inbound, with their first credentials, over gRPC (a running core of them keeps running). */
    private BaseInfoResponse startTheWholeSet() {
        List<User> users = new ArrayList<>(USERS);
        for (int i = 0; i < USERS; i++) {
            users.add(panelUser(email(i), "", ALL));
        }
        return node.grpc().withDeadlineAfter(5, TimeUnit.MINUTES)
                .start(startXray(inbounds.panelConfig(), users.toArray(User[]::new)));
    }

    /** A stream of the running core's log for this test, and the judge of its traffic by that stream. */
    private ProxiedTraffic followTheCoresLog() {
        if (coreLog != null) {
            coreLog.close();
        }
        coreLog = node.rest().logs(false);
        assertThat(coreLog.status()).isEqualTo(200);
        return new ProxiedTraffic(client, http, BYTES, coreLog::lines);
    }

    private static String email(int index) {
        return "u" + index + "@scale";
    }

    private long theCore() {
        List<ProcessHandle> cores = RealV2ray.runningIn(node.workDirectory("xray"));
        assertThat(cores).as("v2ray processes of the node").hasSize(1);
        return cores.get(0).pid();
    }

}
