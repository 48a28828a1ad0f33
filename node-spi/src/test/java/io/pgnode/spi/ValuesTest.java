package io.pgnode.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void accountsNeverPrintTheirSecretsInFull() {
        String uuid = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
        Proxies proxies = new Proxies(
                new Proxies.Vmess(uuid),
                new Proxies.Vless(uuid, "xtls-rprx-vision"),
                new Proxies.Trojan("correct-horse-battery-staple"),
                new Proxies.Shadowsocks("hunter2", "aes-128-gcm"),
                null,
                new Proxies.Hysteria("s3cret-s3cret-s3cret"));

        String printed = new User("alice@example.com", proxies, List.of("in")).toString();

        assertThat(printed)
                .contains("alice@example.com", "xtls-rprx-vision", "aes-128-gcm")
                .doesNotContain(uuid, "correct-horse-battery-staple", "hunter2", "s3cret-s3cret-s3cret");
    }

    @Test
    void userCopiesItsInboundsSoCallersCannotChangeItLater() {
        List<String> inbounds = new ArrayList<>(List.of("vless-in"));
        User user = new User("bob", Proxies.NONE, inbounds);

        inbounds.add("vmess-in");

        assertThat(user.inbounds()).containsExactly("vless-in");
        assertThat(user.isRemoval()).isFalse();
        assertThat(new User("bob", Proxies.NONE, List.of()).isRemoval()).isTrue();
    }

    @Test
    void optionalAbilitiesSayWhatIsMissing() {
        Backend minimal = new MinimalBackend();

        assertThatThrownBy(() -> minimal.onlineCount("bob"))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("online user statistics");
                });
        assertThatThrownBy(minimal::runtimeStats)
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED));
    }

    @Test
    void updateUsersDefaultsToOneSyncPerUser() {
        MinimalBackend backend = new MinimalBackend();
        User alice = new User("alice", Proxies.NONE, List.of("in"));
        User bob = new User("bob", Proxies.NONE, List.of());

        backend.updateUsers(List.of(alice, bob));

        assertThat(backend.synced).containsExactly(alice, bob);
    }

    /** The least a plugin has to write: every optional ability left to its default. */
    private static final class MinimalBackend implements Backend {
        final List<User> synced = new ArrayList<>();

        @Override
        public void start() {}

        @Override
        public void close() {}

        @Override
        public boolean isRunning() {
            return true;
        }

        @Override
        public String coreVersion() {
            return "0.0.1";
        }

        @Override
        public void syncUser(User user) {
            synced.add(user);
        }

        @Override
        public void replaceUsers(java.util.Collection<User> users) {}

        @Override
        public List<Stat> stats(StatQuery query) {
            return List.of();
        }
    }
}
