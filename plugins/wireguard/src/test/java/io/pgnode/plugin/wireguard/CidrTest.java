package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void addressesParseAndPrintAsWgAndIpPrintThem() {
        assertThat(Cidr.parse("10.8.0.1/24")).hasToString("10.8.0.1/24");
        assertThat(Cidr.parse("10.8.0.1/24").network()).hasToString("10.8.0.0/24");
        assertThat(Cidr.parse("fd00:0:0:0:0:0:0:1/64")).hasToString("fd00::1/64");
        assertThat(Cidr.parse("FD00::1/64").network()).hasToString("fd00::/64");
        assertThat(Cidr.parse("2001:db8:0:1:0:0:0:1/128")).hasToString("2001:db8:0:1::1/128");
        assertThat(Cidr.parse("0.0.0.0/0")).hasToString("0.0.0.0/0");
        assertThat(Cidr.parse("::/0")).hasToString("::/0");
        assertThat(Cidr.parse("10.8.0.1/24").network()).isEqualTo(Cidr.parse("10.8.0.0/24"));
    }

    @Test
    void networksOverlapWhenOneHoldsTheOther() {
        assertThat(Cidr.parse("10.8.0.0/24").overlaps(Cidr.parse("10.8.0.5/32"))).isTrue();
        assertThat(Cidr.parse("10.8.0.5/32").overlaps(Cidr.parse("10.8.0.5/32"))).isTrue();
        assertThat(Cidr.parse("10.8.0.5/32").overlaps(Cidr.parse("10.8.0.6/32"))).isFalse();
        assertThat(Cidr.parse("10.8.1.0/24").overlaps(Cidr.parse("10.8.0.0/24"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0"))).as("different families").isFalse();
        assertThat(Cidr.parse("fd00::/64").overlaps(Cidr.parse("fd00::2/128"))).isTrue();
    }

    @Test
    void textThatIsNotAnAddressLiteralIsRefusedWithoutALookup() {
        assertThatThrownBy(() -> Cidr.parse("10.8.0.1")).hasMessage("has no /prefix");
        assertThatThrownBy(() -> Cidr.parse("10.8.0.256/32")).hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("010.8.0.1/32")).hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("localhost/32")).hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("example.com/24")).hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("fd00::g/64")).hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("::ffff:10.0.0.1/128")).as("an IPv4 address in IPv6 clothes")
                .hasMessage("is not an IP address");
        assertThatThrownBy(() -> Cidr.parse("10.8.0.1/33")).hasMessage("has a prefix length that is not 0 to 32");
        assertThatThrownBy(() -> Cidr.parse("fd00::1/129")).hasMessage("has a prefix length that is not 0 to 128");
        assertThatThrownBy(() -> Cidr.parse("10.8.0.1/-1")).hasMessage("has a prefix length that is not 0 to 32");
        assertThatThrownBy(() -> Cidr.parse("10.8.0.1/08")).hasMessage("has a prefix length that is not 0 to 32");
    }
}
