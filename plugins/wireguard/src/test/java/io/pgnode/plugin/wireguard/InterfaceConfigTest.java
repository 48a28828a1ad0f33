package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceConfigTest {

    private static final String KEY = TestingKeys.generate().privateKey();

    @Test
    void theUpstreamDefaultsFillWhatThePanelLeavesOut() {
        InterfaceConfig config = InterfaceConfig.parse("{\"private_key\": \"" + KEY + "\"}");

        assertThat(config.interfaceName()).isEqualTo("wg0");
        assertThat(config.listenPort()).isEqualTo(51820);
        assertThat(config.addresses()).isEmpty();
        assertThat(config.preSharedKey()).isEmpty();
        assertThat(config.peerKeepaliveSeconds()).isEqualTo(25);
        assertThat(config.latency().testUrl()).isEqualTo(URI.create("https://www.gstatic.com/generate_204"));
        assertThat(config.latency().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(InterfaceConfig.parse("{\"private_key\": \"" + KEY + "\", \"listen_port\": 0, \"interface_name\": \"\"}"))
                .isEqualTo(config);
    }

    @Test
    void everyFieldThePanelSendsIsTakenAndUnknownOnesAreIgnored() {
        String psk = TestingKeys.preSharedKey();
        InterfaceConfig config = InterfaceConfig.parse("{\"interface_name\": \"wg-panel.1\", \"private_key\": \"" + KEY
                + "\", \"listen_port\": 40000, \"address\": [\"10.8.0.1/24\", \"fd00::1/64\"], \"pre_shared_key\": \""
                + psk + "\", \"peer_keepalive_seconds\": 0, \"latency\": {\"test_url\": \"http://10.8.0.2/ok\","
                + " \"timeout_seconds\": 2}, \"mtu\": 1380}");

        assertThat(config.interfaceName()).isEqualTo("wg-panel.1");
        assertThat(config.privateKey().base64()).isEqualTo(KEY);
        assertThat(config.listenPort()).isEqualTo(40000);
        assertThat(config.addresses()).containsExactly(Cidr.parse("10.8.0.1/24"), Cidr.parse("fd00::1/64"));
        assertThat(config.preSharedKey()).hasValue(WireguardKey.parse(psk));
        assertThat(config.peerKeepaliveSeconds()).as("0 turns it off").isZero();
        assertThat(config.latency().testUrl()).isEqualTo(URI.create("http://10.8.0.2/ok"));
        assertThat(config.latency().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.toString()).doesNotContain(KEY).doesNotContain(psk);
    }

    @Test
    void aConfigThatCannotRunIsRefusedInOneSentenceNamingTheFieldAndNeverTheKey() {
        String prefix = "{\"private_key\": \"" + KEY + "\", ";
        for (List<String> c : List.of(
                List.of("", "the WireGuard config is empty"),
                List.of("{\"private_key\": ", "the WireGuard config is not valid JSON", "line 1"),
                List.of("[1]", "the WireGuard config must be a JSON object"),
                List.of("{}", "private_key is missing"),
                List.of("{\"private_key\": \"" + KEY.substring(1) + "\"}", "private_key is not base64 of 32 bytes"),
                List.of("{\"private_key\": 5}", "private_key must be a string"),
                List.of(prefix + "\"private_key\": \"" + KEY + "\"}", "not valid JSON", "Duplicate field"),
                List.of(prefix + "\"interface_name\": \"wg 0\"}", "interface_name \"wg 0\" is not a usable"),
                List.of(prefix + "\"interface_name\": \"a-name-of-16-chr\"}", "is not a usable interface name"),
                List.of(prefix + "\"interface_name\": \"../x\"}", "is not a usable interface name"),
                List.of(prefix + "\"listen_port\": 70000}", "listen_port must be a whole number, a UDP port"),
                List.of(prefix + "\"listen_port\": \"51820\"}", "listen_port must be a whole number"),
                List.of(prefix + "\"address\": \"10.8.0.1/24\"}", "address must be a list"),
                List.of(prefix + "\"address\": [\"10.8.0.1\"]}", "address \"10.8.0.1\" has no /prefix"),
                List.of(prefix + "\"pre_shared_key\": \"abc\"}", "pre_shared_key is not base64 of 32 bytes"),
                List.of(prefix + "\"peer_keepalive_seconds\": -1}", "peer_keepalive_seconds must be a whole number"),
                List.of(prefix + "\"latency\": {\"test_url\": \"ftp://x/\"}}", "latency.test_url \"ftp://x/\" is not"),
                List.of(prefix + "\"latency\": {\"timeout_seconds\": 61}}", "timeout_seconds must be a whole number"))) {
            String text = c.get(0);
            assertThatThrownBy(() -> InterfaceConfig.parse(text)).as(text).isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(((BackendException) e).kind())
                            .isEqualTo(BackendException.Kind.INVALID_CONFIG))
                    .satisfies(e -> assertThat(e.getMessage()).contains(c.subList(1, c.size()))
                            .doesNotContain(KEY).doesNotContain(KEY.substring(1)));
        }
    }
}
