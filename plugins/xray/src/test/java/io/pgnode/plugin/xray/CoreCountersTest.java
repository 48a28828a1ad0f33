package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.pgnode.plugin.xray.api.CoreStat;
import io.pgnode.plugin.xray.api.QueryStatsResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    void fieldsOfAStatItDoesNotKnowAreSkipped() throws IOException {
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(5).build())
                .addField(10, UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                        com.google.protobuf.ByteString.copyFromUtf8("later")).build())
                .build();
        QueryStatsResponse answer = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setName("outbound>>>direct>>>traffic>>>uplink").setValue(3)
                        .setUnknownFields(extra))
                .build();

        CoreCounters counters = CoreCounters.parse(answer.toByteArray());

        assertThat(counters.size()).isEqualTo(1);
        assertThat(counters.counterName(0)).isEqualTo(new CounterName("outbound", "direct", "uplink"));
        assertThat(counters.value(0)).isEqualTo(3);
    }

    /**
     * Bytes out of step (a frame's worth lost or doubled) parse as fields the answer does not have; skipped, they
     * would take the counters they cover out of the answer without a word, after the core had reset them.
     */
    @Test
    void anythingButCountersAtTheTopMakesTheAnswerUnreadable() {
        UnknownFieldSet stray = UnknownFieldSet.newBuilder()
                .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                        com.google.protobuf.ByteString.copyFromUtf8("user>>>b@x>>>traffic>>>uplink")).build())
                .build();
        QueryStatsResponse answer = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setName("user>>>a@x>>>traffic>>>uplink").setValue(3))
                .setUnknownFields(stray)
                .build();

        assertThatThrownBy(() -> CoreCounters.parse(answer.toByteArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("field 2 (wire type 2) after 1 counters");
    }

    @Test
    void aCounterWhoseNameIsNotUtf8OrMissingMakesTheAnswerUnreadable() {
        byte[] broken = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setName("user>>>ünï@x>>>traffic>>>uplink").setValue(1))
                .addStat(CoreStat.newBuilder().setName("user>>>a#x>>>traffic>>>uplink"))
                .build().toByteArray();
        int marker = new String(broken, StandardCharsets.ISO_8859_1).indexOf('#');
        broken[marker] = (byte) 0xC3; // the lead byte of a two-byte sequence, then an ASCII x
        QueryStatsResponse nameless = QueryStatsResponse.newBuilder()
                .addStat(CoreStat.newBuilder().setValue(5))
                .build();

        assertThatThrownBy(() -> CoreCounters.parse(broken))
                .isInstanceOf(IOException.class).hasMessageContaining("counter 2 has a name that is not UTF-8");
        assertThatThrownBy(() -> CoreCounters.parse(nameless.toByteArray()))
                .isInstanceOf(IOException.class).hasMessageContaining("counter 1 has no name");
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

    @Test
    void aBigAnswerReadIntoTheArrayOfAClosedOneHoldsOnlyItsOwnCounters() {
        byte[] first = bigAnswer("first", 40_000, 1);
        byte[] second = bigAnswer("second", 30_000, 2);
        assertThat(first.length).isGreaterThan(second.length).isGreaterThanOrEqualTo(CoreCounters.KEPT_FROM);

        CoreCounters earlier = CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(first));
        assertThat(earlier.counterName(39_999)).isEqualTo(new CounterName("user", "first39999@x", "uplink"));
        earlier.close();
        try (CoreCounters later = CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(second))) {
            assertThat(later.size()).as("none of the first answer's longer tail").isEqualTo(30_000);
            for (int i = 0; i < later.size(); i++) {
                assertThat(later.counterName(i)).isEqualTo(new CounterName("user", "second" + i + "@x", "uplink"));
                assertThat(later.value(i)).isEqualTo(2L * i);
            }
        }
        assertThatThrownBy(() -> earlier.counterName(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void twoBigAnswersOpenAtOnceKeepTheirOwnBytes() {
        try (CoreCounters one = CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(bigAnswer("one", 30_000, 1)));
                CoreCounters two = CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(bigAnswer("two", 30_000, 3)))) {
            for (int i = 0; i < 30_000; i++) {
                assertThat(one.counterName(i).name()).isEqualTo("one" + i + "@x");
                assertThat(two.counterName(i).name()).isEqualTo("two" + i + "@x");
                assertThat(two.value(i)).isEqualTo(3L * i);
            }
        }
    }

    @Test
    void theKeptArrayGoesWhenItIsDropped() {
        byte[] answer = bigAnswer("kept", 30_000, 1);
        CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(answer)).close();
        assertThat(CoreCounters.spareBytes()).isGreaterThanOrEqualTo(answer.length);

        CoreCounters.dropSpare();

        assertThat(CoreCounters.spareBytes()).isZero();
        try (CoreCounters next = CoreCounters.MARSHALLER.parse(new ByteArrayInputStream(answer))) {
            assertThat(next.counterName(29_999)).isEqualTo(new CounterName("user", "kept29999@x", "uplink"));
        }
    }

    /** An answer of {@code users} uplink counters, {@code user>>>PREFIXi@x>>>traffic>>>uplink} = factor × i. */
    private static byte[] bigAnswer(String prefix, int users, long factor) {
        QueryStatsResponse.Builder answer = QueryStatsResponse.newBuilder();
        for (int i = 0; i < users; i++) {
            answer.addStat(CoreStat.newBuilder().setName(CounterName.of("user", prefix + i + "@x", "uplink"))
                    .setValue(factor * i));
        }
        return answer.build().toByteArray();
    }
}
