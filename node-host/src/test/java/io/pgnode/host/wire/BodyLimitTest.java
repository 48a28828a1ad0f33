package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyLimitTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void aSmallHeapTakesASixteenthOfItAndABigOneTheContractsSixtyFourMebibytes() {
        assertThat(BodyLimit.forMaxHeap(256 * MIB)).isEqualTo(16 * MIB);
        assertThat(BodyLimit.forMaxHeap(512 * MIB)).isEqualTo(32 * MIB);
        assertThat(BodyLimit.forMaxHeap(1024 * MIB)).isEqualTo(64 * MIB);
        assertThat(BodyLimit.forMaxHeap(8192 * MIB)).isEqualTo(64 * MIB);
    }

    @Test
    void theLimitReadsAsAnOperatorWritesIt() {
        assertThat(BodyLimit.describe(16 * MIB)).isEqualTo("16 MiB");
        assertThat(BodyLimit.describe(300 * 1024)).isEqualTo("300 KiB");
        assertThat(BodyLimit.exceeded("The request body", 16 * MIB).getMessage())
                .isEqualTo("The request body is larger than this node takes (16 MiB: 1/16 of its heap, at most 64 MiB; "
                        + "a node started with more heap, e.g. JAVA_OPTS=-Xmx1g, takes more).");
    }
}
