package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class WireguardKeyTest {

    @Test
    void aKeyAsWgPrintsItParsesAndShowsOnlyItsStartInLogs() {
        String text = TestingKeys.generate().publicKey();

        WireguardKey key = WireguardKey.parse(text);

        assertThat(key.base64()).isEqualTo(text);
        assertThat(key.toString()).isEqualTo(text.substring(0, 6) + "…").doesNotContain(text.substring(6, 20));
        assertThat(key).isEqualTo(WireguardKey.parse(text));
    }

    @Test
    void anythingWgWouldRefuseIsRefusedWithoutRepeatingIt() {
        String good = TestingKeys.generate().publicKey();
        String thirtyOneBytes = Base64.getEncoder().encodeToString(new byte[31]);
        String strayLowBits = good.substring(0, 42) + (good.charAt(42) == 'A' ? 'B' : 'A') + "=";
        byte[] decoded = Base64.getDecoder().decode(strayLowBits);
        boolean canonical = Base64.getEncoder().encodeToString(decoded).equals(strayLowBits);

        for (String bad : new String[] {"", "not a key", thirtyOneBytes, good.substring(0, 43), good + "=", " " + good,
                good.replace('=', ' ')}) {
            assertThatThrownBy(() -> WireguardKey.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("is not base64 of 32 bytes");
        }
        if (!canonical) {
            assertThatThrownBy(() -> WireguardKey.parse(strayLowBits)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
