package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.changed;
import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several panel workers may deliver the same user payload twice (issue 11): the second delivery changes nothing,
 * and the core hears nothing of it: no AlterInbound reaches the fake of Xray's API.
 */
class RepeatedSyncOnXrayTest {

    @TempDir
    Path dir;

    private FakeXrayBackend xray;

    @AfterEach
    void stop() throws Exception {
        if (xray != null) {
            xray.close();
        }
    }

    @Test
    void theSameSyncUserTwiceCallsTheCoreOnce() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));

        assertSecondDeliveryIsSilent(List.of(
                changed("alice@x", "2", "vless-in", "trojan-in"),     // changed
                user("bob@x", "vmess-in", "vless-in"),                // new
                new User("carol@x", Proxies.NONE, List.of())),        // removal of a user the node does not hold
                payload -> payload.forEach(xray.backend::syncUser));
    }

    @Test
    void theSameSyncUsersTwiceCallsTheCoreOnce() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in"), user("dave@x", "vless-in")));

        assertSecondDeliveryIsSilent(List.of(changed("alice@x", "2", "vless-in"), user("bob@x", "trojan-in")),
                xray.backend::replaceUsers);
    }

    @Test
    void theSamePartialSetTwiceCallsTheCoreOnce() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));

        assertSecondDeliveryIsSilent(List.of(new User("alice@x", Proxies.NONE, List.of()),
                user("bob@x", "vless-in", "trojan-in"), user("erin@x", "vmess-in")), xray.backend::updateUsers);
    }

    @Test
    void theSamePayloadWithAnInvalidUserTwiceNamesItAgainAndCallsTheCoreOnce() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of());
        User bad = new User("frank@x", new Proxies(null, new Proxies.Vless("not a uuid at all, and too long", ""), null,
                null, null, null), List.of("vless-in"));
        List<User> payload = List.of(bad, user("grace@x", "vless-in"));

        assertThatThrownBy(() -> xray.backend.replaceUsers(payload)).isInstanceOf(UserSyncException.class);
        int first = xray.api.alters().size();
        assertThatThrownBy(() -> xray.backend.replaceUsers(payload)).isInstanceOf(UserSyncException.class)
                .hasMessageContaining("frank@x (vless id is not a UUID)");

        assertThat(first).isEqualTo(1);
        assertThat(xray.api.alters()).hasSize(first);
    }

    private void assertSecondDeliveryIsSilent(List<User> payload, Consumer<List<User>> deliver) {
        deliver.accept(payload);
        List<TestingXrayApi.Alter> first = xray.api.alters();
        java.util.Map<String, UserEntry> users = xray.backend.users();
        long pid = xray.backend.corePid().orElseThrow();

        deliver.accept(payload);

        assertThat(first).as("the first delivery changed the core").isNotEmpty();
        assertThat(xray.api.alters()).as("the second delivery reached the core").isEqualTo(first);
        assertThat(xray.backend.users()).isEqualTo(users);
        assertThat(xray.backend.corePid()).hasValue(pid);
    }
}
