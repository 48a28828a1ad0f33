package io.pgnode.plugin.xray.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencySettingsTest {

    @Test
    void defaultsAndSetValues() {
        assertThat(LatencySettings.from(Map.of())).isEqualTo(new LatencySettings(
                URI.create("https://www.gstatic.com/generate_204"), Duration.ofSeconds(5)));
        assertThat(LatencySettings.from(Map.of("XRAY_LATENCY_TEST_URL", " http://127.0.0.1:8080/ok ",
                "XRAY_LATENCY_TIMEOUT", "60"))).isEqualTo(new LatencySettings(URI.create("http://127.0.0.1:8080/ok"),
                Duration.ofSeconds(60)));
    }

    @Test
    void badValuesNameTheSetting() {
        for (Map<String, String> bad : new Map[] {Map.of("XRAY_LATENCY_TEST_URL", "ftp://x/y"),
                Map.of("XRAY_LATENCY_TEST_URL", "not a url"), Map.of("XRAY_LATENCY_TIMEOUT", "0"),
                Map.of("XRAY_LATENCY_TIMEOUT", "61"), Map.of("XRAY_LATENCY_TIMEOUT", "5s")}) {
            String name = bad.keySet().iterator().next();
            assertThatThrownBy(() -> LatencySettings.from(bad)).as(bad.toString())
                    .isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                    .hasMessageStartingWith("setting " + name + "=");
        }
    }
}
