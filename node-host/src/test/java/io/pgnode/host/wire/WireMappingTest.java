package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.proto.Backend;
import io.pgnode.proto.User;
import org.junit.jupiter.api.Test;

class WireMappingTest {

    @Test
    void aStartWithAUserWithoutEmailIsRefusedNamingTheUser() {
        Backend request = Backend.newBuilder()
                .addUsers(User.newBuilder().setEmail("a@x").addInbounds("in"))
                .addUsers(User.newBuilder().addInbounds("in"))
                .build();

        assertThatThrownBy(() -> WireMapping.startRequest(request))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_EMAIL))
                .hasMessage("User number 2 of 2 has no email; every user needs one.");
    }

    @Test
    void theStartRequestCarriesWhatThePanelSent() {
        Backend request = Backend.newBuilder()
                .setTypeValue(1)
                .setConfig("{}")
                .setKeepAlive(30)
                .addExcludeInbounds("keep-me")
                .addUsers(User.newBuilder().setEmail("a@x").addInbounds("in"))
                .build();

        var start = WireMapping.startRequest(request);

        assertThat(start.backendType()).isEqualTo(1);
        assertThat(start.config()).isEqualTo("{}");
        assertThat(start.keepAliveSeconds()).isEqualTo(30);
        assertThat(start.excludedInbounds()).containsExactly("keep-me");
        assertThat(start.users()).singleElement().satisfies(user -> {
            assertThat(user.email()).isEqualTo("a@x");
            assertThat(user.inbounds()).containsExactly("in");
        });
    }
}
