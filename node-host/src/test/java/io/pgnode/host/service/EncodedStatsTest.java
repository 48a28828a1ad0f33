package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.proto.StatResponse;
import io.pgnode.spi.Stat;
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
        stats.forEach(stat -> expected.addStats(ProtoMapping.stat(stat)));

        EncodedStats.Writer writer = new EncodedStats.Writer();
        stats.forEach(writer.sink());
        EncodedStats encoded = writer.finish();

        assertThat(encoded.bytes()).isEqualTo(expected.build().toByteString());
        assertThat(encoded.toMessage().getStatsCount()).isEqualTo(20_000);
    }

    @Test
    void noStatsIsTheEmptyResponse() {
        EncodedStats encoded = new EncodedStats.Writer().finish();

        assertThat(encoded.bytes().isEmpty()).isTrue();
        assertThat(encoded.toMessage()).isEqualTo(StatResponse.getDefaultInstance());
    }
}
