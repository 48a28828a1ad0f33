package io.pgnode.plugin.wireguard;

import static io.pgnode.plugin.wireguard.TestingWireguard.peerUser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend with as many peers as a big panel node has, sized for CI: a Start with 10,000 peers, a full sync that
 * changes 1% of them live (the daemon stays, the untouched peers stay), and stats of every user. Logs how long each
 * took (no assertion on time: a busy machine must not fail it).
 */
class WireguardAtScaleTest {

    private static final Logger log = LoggerFactory.getLogger(WireguardAtScaleTest.class);
    private static final int PEERS = 10_000;

    @TempDir Path temp;

    @Test
    void tenThousandPeersStartSyncLiveAndAnswerStats() throws Exception {
        try (TestingNetwork network = TestingNetwork.create(temp, 0)) {
            String iface = network.interfaceName("n");
            List<User> users = new ArrayList<>();
            for (int i = 0; i < PEERS; i++) {
                users.add(peerUser("user" + i, TestingKeys.generate().publicKey(), iface, address(i)));
            }
            Map<String, String> settings = new HashMap<>(network.nodeToolSettings());
            TestingBackendContext context = new TestingBackendContext(TestingWireguard.config(iface,
                    TestingKeys.generate().privateKey(), TestingWireguard.freeUdpPort(), "http://10.66.0.11:8080/")
                    .replace("10.66.0.1/24", "10.64.0.1/14"), users, Set.of(), settings,
                    Files.createDirectories(temp.resolve("w")));
            WireguardBackend backend = new WireguardBackend(context, WireguardSettings.from(settings),
                    InterfaceConfig.parse(context.config()), WireguardBackend.Tuning.defaults(), System.getenv("PATH"));
            try {
                long began = System.nanoTime();
                backend.start();
                long started = System.nanoTime();
                long pid = backend.daemonPid().orElseThrow();
                assertThat(network.inNode("wg", "show", iface, "peers").output().lines()).hasSize(PEERS);

                List<User> changed = new ArrayList<>(users);
                for (int i = 0; i < PEERS / 100; i++) {
                    int at = i * 100;
                    changed.set(at, peerUser("user" + at, TestingKeys.generate().publicKey(), iface, address(at)));
                }
                long syncBegan = System.nanoTime();
                backend.replaceUsers(changed);
                long synced = System.nanoTime();
                backend.replaceUsers(changed);
                long unchanged = System.nanoTime();
                int stats = backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true)).size();
                long polled = System.nanoTime();

                assertThat(backend.daemonPid()).as("applied live").hasValue(pid);
                List<String> peers = network.inNode("wg", "show", iface, "peers").output().lines().toList();
                assertThat(peers).hasSize(PEERS)
                        .contains(changed.get(100).proxies().wireguard().publicKey())
                        .doesNotContain(users.get(100).proxies().wireguard().publicKey())
                        .contains(users.get(101).proxies().wireguard().publicKey());
                assertThat(stats).as("no traffic yet").isZero();
                log.warn("{} peers: start {} ms, full sync with 1% changed {} ms, the same sync again {} ms,"
                        + " users stats {} ms", PEERS, millis(began, started), millis(syncBegan, synced),
                        millis(synced, unchanged), millis(unchanged, polled));
            } finally {
                backend.close();
            }
            assertThat(network.nodeHasInterface(iface)).isFalse();
        }
    }

    /** 10.64.0.2/32 on: one address per peer inside the interface's 10.64.0.0/14. */
    private static String address(int i) {
        int n = i + 2;
        return "10." + (64 + (n >> 16)) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff) + "/32";
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
