package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import org.junit.jupiter.api.Test;

class UsersChunkAssemblerTest {

    private final UsersChunkAssembler assembler = new UsersChunkAssembler(BodyLimit.forMaxHeap(1L << 30));

    @Test
    void joinsTheUsersInIndexOrderWhateverTheArrivalOrder() {
        assembler.add(chunk(2, true, "e", "f"));
        assembler.add(chunk(0, false, "a", "b"));
        assembler.add(chunk(1, false, "c", "d"));

        assertThat(assembler.users()).extracting(User::getEmail).containsExactly("a", "b", "c", "d", "e", "f");
    }

    @Test
    void anEmptyUserListIsOneLastChunkWithoutUsers() {
        assembler.add(chunk(0, true));

        assertThat(assembler.users()).isEmpty();
    }

    @Test
    void aRepeatedIndexIsRefusedAtOnce() {
        assembler.add(chunk(0, false, "a"));

        assertInvalid(() -> assembler.add(chunk(0, false, "b")), "index 0 arrived twice");
    }

    @Test
    void twoLastChunksAreRefusedAtOnce() {
        assembler.add(chunk(1, true));

        assertInvalid(() -> assembler.add(chunk(2, true)), "both marked last");
    }

    @Test
    void anUploadWithoutLastChunkIsIncomplete() {
        assembler.add(chunk(0, false, "a"));

        assertInvalid(assembler::users, "no chunk is marked last");
    }

    @Test
    void aMissingIndexIsNamed() {
        assembler.add(chunk(0, false, "a"));
        assembler.add(chunk(2, true, "c"));

        assertInvalid(assembler::users, "chunk 1 is missing");
    }

    @Test
    void theLastChunkMustBeTheHighest() {
        assembler.add(chunk(0, true, "a"));
        assembler.add(chunk(1, false, "b"));

        assertInvalid(assembler::users, "marked last but chunk 1 comes after it");
    }

    @Test
    void noChunkAtAllIsInvalid() {
        assertInvalid(assembler::users, "no chunk arrived");
    }

    @Test
    void chunksBeyondTheLimitTogetherAreTooLargeAndAreDropped() {
        UsersChunk first = chunk(0, false, "a", "b");
        UsersChunk second = chunk(1, false, "c", "d");
        UsersChunkAssembler small = new UsersChunkAssembler(
                BodyLimit.ofBytes(first.getSerializedSize() + second.getSerializedSize()));
        small.add(first);
        small.add(second);

        assertThatThrownBy(() -> small.add(chunk(2, true, "e")))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BODY_TOO_LARGE))
                .hasMessageContaining("The chunked user upload is larger than this node takes");
        assertInvalid(small::users, "no chunk arrived");
    }

    private static void assertInvalid(Runnable action, String problem) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHUNKS))
                .hasMessageContaining(problem);
    }

    private static UsersChunk chunk(long index, boolean last, String... emails) {
        UsersChunk.Builder chunk = UsersChunk.newBuilder().setIndex(index).setLast(last);
        for (String email : emails) {
            chunk.addUsers(User.newBuilder().setEmail(email));
        }
        return chunk.build();
    }
}
