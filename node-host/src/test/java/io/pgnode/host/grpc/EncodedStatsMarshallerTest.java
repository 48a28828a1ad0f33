package io.pgnode.host.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.pgnode.host.wire.EncodedStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodedStatsMarshallerTest {

    private static final ByteString BYTES = random(300_000);

    @Test
    void gRpcGetsTheLengthUpFrontAndTheBytesInOneDrain() throws IOException {
        InputStream stream = EncodedStatsMarshaller.INSTANCE.stream(EncodedStats.of(BYTES));
        ByteArrayOutputStream target = new ByteArrayOutputStream();

        assertThat(stream).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
        assertThat(stream.available()).isEqualTo(BYTES.size());
        assertThat(((Drainable) stream).drainTo(target)).isEqualTo(BYTES.size());
        assertThat(ByteString.copyFrom(target.toByteArray())).isEqualTo(BYTES);
        assertThat(stream.available()).isZero();
        assertThat(stream.read()).isEqualTo(-1);
    }

    @Test
    void readingPartOfItThenDrainingGivesEveryByteOnce() throws IOException {
        InputStream stream = EncodedStatsMarshaller.INSTANCE.stream(EncodedStats.of(BYTES));
        byte[] head = stream.readNBytes(1_000);
        ByteArrayOutputStream rest = new ByteArrayOutputStream();

        ((Drainable) stream).drainTo(rest);

        assertThat(ByteString.copyFrom(head).concat(ByteString.copyFrom(rest.toByteArray()))).isEqualTo(BYTES);
    }

    @Test
    void parsingGivesTheBytesBack() {
        assertThat(EncodedStatsMarshaller.INSTANCE.parse(BYTES.newInput()).bytes()).isEqualTo(BYTES);
    }

    private static ByteString random(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }
}
