package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.pgnode.host.CostlyMessages;
import io.pgnode.host.PanelUsers;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ParsedSizeTest {

    @Test
    void panelUsersAreEstimatedWithinTheFiveTimesTheLimitAllowsSoAFullUploadOfThemGoesThrough() {
        Users users = PanelUsers.message(10_000, PanelUsers.FOUR_INBOUNDS);
        byte[] bytes = users.toByteArray();

        double factor = ParsedSize.of(Users.getDescriptor(), bytes) / (double) bytes.length;

        // measured: 4.0 times in the heap; the estimate leans high, but not so high as to refuse them
        assertThat(factor).isBetween(4.0, (double) BodyLimit.PARSED_FACTOR);
    }

    @Test
    void emptyUsersAreEstimatedAtOverTwentyTimesTheirBytes() {
        byte[] bytes = CostlyMessages.emptyUsers(100_000);

        assertThat(ParsedSize.of(Users.getDescriptor(), bytes)).isGreaterThan(20L * bytes.length);
    }

    @Test
    void unknownFieldsCostNothingBecauseTheyAreDropped() {
        Users withUnknown = CostlyMessages.usersWithUnknownFields(100, 20);
        Users without = Users.newBuilder().addAllUsers(withUnknown.getUsersList().stream()
                .map(user -> user.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance()).build())
                .toList()).build();

        assertThat(ParsedSize.of(Users.getDescriptor(), withUnknown.toByteArray()))
                .isEqualTo(ParsedSize.of(Users.getDescriptor(), without.toByteArray()));
    }

    @Test
    void aStringThatIsNotAllAsciiCountsTwice() {
        long ascii = ParsedSize.of(User.getDescriptor(), User.newBuilder().setEmail("a".repeat(1_000)).build()
                .toByteArray());
        long other = ParsedSize.of(User.getDescriptor(), User.newBuilder().setEmail("\u0416" + "a".repeat(998)).build()
                .toByteArray());

        assertThat(other - ascii).isEqualTo(1_000);
    }

    @Test
    void malformedBytesEndTheEstimateWithoutAnError() {
        byte[] valid = CostlyMessages.emptyUsers(1_000);
        byte[] cutOff = Arrays.copyOf(valid, valid.length + 3);
        cutOff[valid.length] = 0x0a;
        cutOff[valid.length + 1] = (byte) 0xff; // a user claiming more bytes than there are

        assertThat(ParsedSize.of(Users.getDescriptor(), cutOff))
                .isGreaterThanOrEqualTo(ParsedSize.of(Users.getDescriptor(), valid));
        assertThat(ParsedSize.of(Users.getDescriptor(), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}))
                .isLessThan(1_000);
    }
}
