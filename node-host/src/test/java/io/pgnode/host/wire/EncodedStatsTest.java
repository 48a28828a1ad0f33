package io.pgnode.host.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.proto.StatResponse;
import io.pgnode.spi.Stat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedStatsTest {

    @Test
    void theBytesAreTheStatResponseTheMessagesWouldMake() {
        List<Stat> stats = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            stats.add(new Stat("user" + i + "@x", i % 2 == 0 ? "uplink" : "downlink", "traffic", i * 1_000_003L));
        }
        StatResponse.Builder expected = StatResponse.newBuilder();
        stats.forEach(stat -> expected.addStats(WireMapping.stat(stat)));

        EncodedStats.Writer writer = new EncodedStats.Writer();
        stats.forEach(writer.sink());
        EncodedStats encoded = writer.finish();

        assertThat(encoded.bytes()).isEqualTo(expected.build().toByteString());
        assertThat(encoded.toMessage().getStatsCount()).isEqualTo(20_000);
    }

    @Test
    void emptyFieldsZeroValuesAndOtherScriptsEncodeAsTheMessageWould() {
        List<Stat> stats = List.of(new Stat("", "uplink", "traffic", 0), new Stat("пользователь@пример", "", "", -1),
                new Stat("用户", "downlink", "traffic", Long.MAX_VALUE), new Stat("a", "uplink", "traffic", Long.MIN_VALUE));
        StatResponse.Builder expected = StatResponse.newBuilder();
        stats.forEach(stat -> expected.addStats(WireMapping.stat(stat)));

        EncodedStats encoded = EncodedStats.collect(sink -> stats.forEach(sink));

        assertThat(encoded.bytes()).isEqualTo(expected.build().toByteString());
        List<Stat> read = new ArrayList<>();
        encoded.stats().forEach(read::add);
        assertThat(read).isEqualTo(stats);
    }

    @Test
    void writingSendsEveryChunkInOrder() throws IOException {
        EncodedStats.Writer writer = new EncodedStats.Writer();
        for (int i = 0; i < 50_000; i++) {
            writer.sink().accept(new Stat("user" + i + "@x", "uplink", "traffic", i));
        }
        EncodedStats encoded = writer.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        encoded.writeTo(out);

        assertThat(encoded.size()).as("more than one chunk").isGreaterThan(64 * 1024);
        assertThat(out.size()).isEqualTo(encoded.size());
        assertThat(StatResponse.parseFrom(out.toByteArray()).getStats(49_999).getName()).isEqualTo("user49999@x");
    }

    @Test
    void theStatsCanBeReadBackOneByOne() {
        List<Stat> stats = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            stats.add(new Stat("user" + i, i % 2 == 0 ? "uplink" : "downlink", "traffic", i * 7L));
        }

        EncodedStats encoded = EncodedStats.collect(sink -> stats.forEach(sink));

        List<Stat> read = new ArrayList<>();
        encoded.stats().forEach(read::add);
        assertThat(read).isEqualTo(stats);
    }

    @Test
    void noStatsIsTheEmptyResponse() {
        EncodedStats encoded = new EncodedStats.Writer().finish();

        assertThat(encoded.bytes().isEmpty()).isTrue();
        assertThat(encoded.toMessage()).isEqualTo(StatResponse.getDefaultInstance());
    }
}
