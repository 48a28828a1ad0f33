package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CounterNameTest {

    @Test
    void parsesUserInboundAndOutboundTrafficCounters() {
        assertThat(CounterName.parse("user>>>a@x>>>traffic>>>uplink"))
                .contains(new CounterName("user", "a@x", "uplink"));
        assertThat(CounterName.parse("inbound>>>vless-in>>>traffic>>>downlink"))
                .contains(new CounterName("inbound", "vless-in", "downlink"));
        assertThat(CounterName.parse("outbound>>>direct>>>traffic>>>uplink"))
                .contains(new CounterName("outbound", "direct", "uplink"));
    }

    @Test
    void aNameMayContainTheSeparatorItself() {
        assertThat(CounterName.parse("user>>>odd>>>name>>>traffic>>>downlink"))
                .contains(new CounterName("user", "odd>>>name", "downlink"));
    }

    @Test
    void namesAtTheEdgesOfTheSeparatorsParseAsBefore() {
        assertThat(CounterName.parse("user>>>>>>traffic>>>uplink")).contains(new CounterName("user", "", "uplink"));
        assertThat(CounterName.parse("user>>>a>>>>traffic>>>uplink")).contains(new CounterName("user", "a>", "uplink"));
        assertThat(CounterName.parse("user>>>>a>>>traffic>>>uplink")).contains(new CounterName("user", ">a", "uplink"));
        assertThat(CounterName.parse("user>>>>>traffic>>>uplink")).isEmpty();
        assertThat(CounterName.parse("usage>>>a>>>traffic>>>uplink")).contains(new CounterName("usage", "a", "uplink"));
        assertThat(CounterName.parse("пользователь>>>a>>>traffic>>>downlink").orElseThrow().owner()).isNull();
    }

    @Test
    void otherNamesAreNotTrafficCounters() {
        assertThat(CounterName.parse("user>>>a@x>>>online")).isEmpty();
        assertThat(CounterName.parse("user>>>a@x>>>traffic>>>sideways")).isEmpty();
        assertThat(CounterName.parse("user>>>a@x>>>packets>>>uplink")).isEmpty();
        assertThat(CounterName.parse("user>>>a@x>>>traffic>>>xuplink")).isEmpty();
        assertThat(CounterName.parse("user>>>a@x>>>xtraffic>>>downlink")).isEmpty();
        assertThat(CounterName.parse("nonsense")).isEmpty();
        assertThat(CounterName.parse("user>>>traffic>>>uplink")).isEmpty();
    }

    @Test
    void buildsTheCoresName() {
        assertThat(CounterName.of("user", "a@x", "uplink")).isEqualTo("user>>>a@x>>>traffic>>>uplink");
    }
}
