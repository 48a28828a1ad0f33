package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterfaceDumpTest {

    private static final TestingKeys NODE = TestingKeys.generate();
    private static final String A = TestingKeys.generate().publicKey();
    private static final String B = TestingKeys.generate().publicKey();

    @Test
    void peersAreReadAndTheInterfaceLineWithItsPrivateKeyIsSkipped() {
        String output = NODE.privateKey() + "\t" + NODE.publicKey() + "\t51820\toff\n"
                + A + "\t(none)\t172.31.1.2:49580\t10.66.0.11/32,fd66::11/128\t1796286157\t244\t172\toff\n"
                + B + "\t(none)\t(none)\t10.66.0.12/32\t0\t0\t0\t25\n";

        InterfaceDump dump = InterfaceDump.parse(output);

        assertThat(dump.peers()).hasSize(2);
        InterfaceDump.PeerStatus a = dump.peer(WireguardKey.parse(A)).orElseThrow();
        assertThat(a.endpointIp()).hasValue("172.31.1.2");
        assertThat(a.allowedIps()).isEqualTo("10.66.0.11/32,fd66::11/128");
        assertThat(a.latestHandshake()).isEqualTo(1796286157L);
        assertThat(a.received()).isEqualTo(244);
        assertThat(a.sent()).isEqualTo(172);
        InterfaceDump.PeerStatus b = dump.peer(WireguardKey.parse(B)).orElseThrow();
        assertThat(b.endpoint()).isEmpty();
        assertThat(b.endpointIp()).isEqualTo(Optional.empty());
        assertThat(b.latestHandshake()).isZero();
        assertThat(dump.peer(WireguardKey.parse(NODE.publicKey()))).isEmpty();
    }

    @Test
    void anIpv6EndpointLosesItsBracketsAndPort() {
        String output = "x\n" + A + "\t(none)\t[fd00::2]:51820\t10.66.0.11/32\t5\t1\t2\toff\n";

        assertThat(InterfaceDump.parse(output).peer(WireguardKey.parse(A)).orElseThrow().endpointIp())
                .hasValue("fd00::2");
    }

    @Test
    void aMalformedLineIsReportedWithoutTheOutput() {
        String output = NODE.privateKey() + "\t" + NODE.publicKey() + "\t51820\toff\n" + A + "\tgarbage\n";

        assertThatThrownBy(() -> InterfaceDump.parse(output)).hasMessage(
                "line 2 of `wg show dump` has 2 fields instead of 8");
    }
}
