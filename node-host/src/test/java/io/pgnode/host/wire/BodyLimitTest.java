package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.PanelUsers;
import io.pgnode.proto.Users;
import org.junit.jupiter.api.Test;

class BodyLimitTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void aSmallHeapTakesASixteenthOfItAndABigOneTheContractsSixtyFourMebibytes() {
        assertThat(BodyLimit.forMaxHeap(256 * MIB).maxBytes()).isEqualTo(16 * MIB);
        assertThat(BodyLimit.forMaxHeap(512 * MIB).maxBytes()).isEqualTo(32 * MIB);
        assertThat(BodyLimit.forMaxHeap(1024 * MIB).maxBytes()).isEqualTo(64 * MIB);
        assertThat(BodyLimit.forMaxHeap(8192 * MIB).maxBytes()).isEqualTo(64 * MIB);
    }

    @Test
    void onceParsedARequestMayTakeFiveSixteenthsOfTheHeapWhateverTheWireCap() {
        assertThat(BodyLimit.forMaxHeap(256 * MIB).maxParsedBytes()).isEqualTo(80 * MIB);
        assertThat(BodyLimit.forMaxHeap(8192 * MIB).maxParsedBytes()).isEqualTo(2560 * MIB);
    }

    @Test
    void aPanelsHundredThousandUsersWithThreeInboundsFitFromTheHeapOfA2GibMachineOn() {
        byte[] users = PanelUsers.message(100_000, PanelUsers.THREE_INBOUNDS).toByteArray();
        long parsed = ParsedSize.of(Users.getDescriptor(), users);

        for (long heap : new long[] {512 * MIB, 1024 * MIB, 8192 * MIB}) {
            BodyLimit limit = BodyLimit.forMaxHeap(heap);
            assertThat((long) users.length).as("on the wire, heap %d MiB", heap / MIB).isLessThan(limit.maxBytes());
            assertThat(parsed).as("parsed, heap %d MiB", heap / MIB).isLessThan(limit.maxParsedBytes());
        }
    }

    @Test
    void theLimitReadsAsAnOperatorWritesIt() {
        BodyLimit limit = BodyLimit.forMaxHeap(256 * MIB);
        assertThat(BodyLimit.describe(16 * MIB)).isEqualTo("16 MiB");
        assertThat(BodyLimit.describe(300 * 1024)).isEqualTo("300 KiB");
        assertThat(limit.exceeded("The request body").getMessage())
                .isEqualTo("The request body is larger than this node takes (16 MiB: 1/16 of its heap, at most 64 MiB; "
                        + "a node started with more heap, e.g. JAVA_OPTS=-Xmx1g, takes more).");
        assertThat(limit.parsedExceeded("The request body", 224 * MIB).getMessage())
                .isEqualTo("The request body would take about 224 MiB of memory once read, more than this node gives "
                        + "one request (80 MiB: 5/16 of its heap; a node started with more heap, e.g. JAVA_OPTS=-Xmx1g, "
                        + "takes more).");
    }
}
