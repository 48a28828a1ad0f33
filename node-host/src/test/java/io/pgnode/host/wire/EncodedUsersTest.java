package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.Vmess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedUsersTest {

    private static User user(String email, String id, String... inbounds) {
        return User.newBuilder().setEmail(email).setProxies(Proxy.newBuilder().setVmess(Vmess.newBuilder().setId(id)))
                .addAllInbounds(List.of(inbounds)).build();
    }

    @Test
    void readsTheUsersTheParsedMessageHasInItsOrder() throws Exception {
        Users message = Users.newBuilder()
                .addUsers(user("a@x", "id-a", "in-1", "in-2"))
                .addUsers(user("b@x", "id-b"))
                .addUsers(user("a@x", "id-a2", "in-1"))
                .build();

        EncodedUsers encoded = EncodedUsers.of(message.toByteArray(), anyBudget());

        assertThat(encoded).containsExactlyElementsOf(message.getUsersList());
        assertThat(encoded.get(2)).isEqualTo(message.getUsers(2)); // read again: the same
        assertThat(WireMapping.users(encoded)).containsExactlyElementsOf(WireMapping.users(message.getUsersList()));
        assertThat(EncodedUsers.of(new byte[0], anyBudget())).isEmpty();
    }

    @Test
    void fieldsItDoesNotKnowAreSkippedAsTheParserSkipsThem() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(7, "a field of a newer panel");
        out.writeMessage(1, user("a@x", "id-a", "in-1"));
        out.writeUInt64(9, 42);
        out.writeMessage(1, user("b@x", "id-b", "in-1"));
        out.flush();

        EncodedUsers encoded = EncodedUsers.of(bytes.toByteArray(), anyBudget());

        assertThat(encoded).containsExactlyElementsOf(Users.parseFrom(bytes.toByteArray()).getUsersList());
    }

    @Test
    void bytesThatAreNotAUsersMessageAreRefusedWhenTaken() throws IOException {
        byte[] valid = Users.newBuilder().addUsers(user("a@x", "id-a", "in-1")).addUsers(user("b@x", "id-b", "in-1"))
                .build().toByteArray();
        byte[] truncated = Arrays.copyOf(valid, valid.length - 3);
        byte[] garbage = {(byte) 0x0a, (byte) 0x05, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

        for (byte[] bad : List.of(truncated, garbage)) {
            assertThatThrownBy(() -> Users.parseFrom(bad)).isInstanceOf(InvalidProtocolBufferException.class);
            assertThatThrownBy(() -> EncodedUsers.of(bad, anyBudget())).isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    @Test
    void aUserWithoutEmailIsNamedByItsNumberAsTheParsedListWouldBe() throws Exception {
        Users message = Users.newBuilder().addUsers(user("a@x", "id-a", "in-1")).addUsers(user(" ", "id-b", "in-1"))
                .addUsers(user("", "id-c")).build();

        EncodedUsers encoded = EncodedUsers.of(message.toByteArray(), anyBudget());

        assertThatThrownBy(() -> WireMapping.users(encoded))
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_EMAIL))
                .hasMessage("User number 2 of 3 has no email; every user needs one.");
        assertThatThrownBy(() -> WireMapping.users(message.getUsersList()))
                .hasMessage("User number 2 of 3 has no email; every user needs one.");
    }

    @Test
    void aMessageTheBudgetDoesNotCoverIsRefusedBeforeAnyUserIsRead() {
        byte[] message = Users.newBuilder().addUsers(user("a@x", "id-a", "in-1")).build().toByteArray();
        ParseBudget tiny = new ParseBudget(new BodyLimit(1024, 8), "The Users message");

        assertThatThrownBy(() -> EncodedUsers.of(message, tiny))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BODY_TOO_LARGE));
    }

    private static ParseBudget anyBudget() {
        return new ParseBudget(BodyLimit.ofBytes(BodyLimit.CONTRACT_MAX_BYTES), "The Users message");
    }
}
