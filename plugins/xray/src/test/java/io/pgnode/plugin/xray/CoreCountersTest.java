package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.pgnode.plugin.xray.api.CoreStat;
import io.pgnode.plugin.xray.api.QueryStatsResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoreCountersTest {

    @Test
    void readsEveryCounterOfAnAnswerWithItsNameAndValue() throws IOException {
        QueryStatsResponse answer = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setName("user>>>ünï@x>>>traffic>>>uplink").setValue(7))
                .addStat(CoreStat.newBuilder().setName("inbound>>>vless-in>>>traffic>>>downlink").setValue(1L << 40))
                .addStat(CoreStat.newBuilder().setName("user>>>a@x>>>online").setValue(2))
                .addStat(CoreStat.newBuilder().setName("user>>>zero@x>>>traffic>>>downlink"))
                .build();

        CoreCounters counters = CoreCounters.parse(answer.toByteArray());

        assertThat(counters.size()).isEqualTo(4);
        assertThat(counters.name(0)).isEqualTo("user>>>ünï@x>>>traffic>>>uplink");
        assertThat(counters.counterName(0)).isEqualTo(new CounterName("user", "ünï@x", "uplink"));
        assertThat(counters.value(0)).isEqualTo(7);
        assertThat(counters.counterName(1)).isEqualTo(new CounterName("inbound", "vless-in", "downlink"));
        assertThat(counters.value(1)).isEqualTo(1L << 40);
        assertThat(counters.counterName(2)).as("not a traffic counter").isNull();
        assertThat(counters.value(3)).as("proto3 leaves a zero value out").isZero();
    }

    @Test
    void fieldsItDoesNotKnowAreSkipped() throws IOException {
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(5).build())
                .addField(10, UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                        com.google.protobuf.ByteString.copyFromUtf8("later")).build())
                .build();
        QueryStatsResponse answer = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setName("outbound>>>direct>>>traffic>>>uplink").setValue(3)
                        .setUnknownFields(extra))
                .setUnknownFields(extra)
                .build();

        CoreCounters counters = CoreCounters.parse(answer.toByteArray());

        assertThat(counters.size()).isEqualTo(1);
        assertThat(counters.counterName(0)).isEqualTo(new CounterName("outbound", "direct", "uplink"));
        assertThat(counters.value(0)).isEqualTo(3);
    }

    @Test
    void theMarshallerReadsAnAnswerOfAnySize() {
        QueryStatsResponse.Builder answer = QueryStatsResponse.newBuilder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String name = "user>>>u" + i + "@x>>>traffic>>>" + (i % 2 == 0 ? "uplink" : "downlink");
            names.add(name);
            answer.addStat(CoreStat.newBuilder().setName(name).setValue(i));
        }
        // a stream that does not announce its size, read in small pieces
        ByteArrayInputStream wire = new ByteArrayInputStream(answer.build().toByteArray()) {
            @Override
            public synchronized int available() {
                return Math.min(super.available(), 100);
            }
        };

        CoreCounters counters = CoreCounters.MARSHALLER.parse(wire);

        assertThat(counters.size()).isEqualTo(20_000);
        for (int i = 0; i < counters.size(); i++) {
            assertThat(counters.name(i)).isEqualTo(names.get(i));
            assertThat(counters.value(i)).isEqualTo(i);
        }
    }
}
