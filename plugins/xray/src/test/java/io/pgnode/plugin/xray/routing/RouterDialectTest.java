package io.pgnode.plugin.xray.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which router layout each Xray release reads (Xray-core's app/router/config.proto history). */
class RouterDialectTest {

    @Test
    void theRuleTagMovedTo19In25829AndGeodataCameIn26413() {
        assertThat(RouterDialect.ofXray("1.8.10")).isEqualTo(new RouterDialect(18, false));
        assertThat(RouterDialect.ofXray("25.8.3")).isEqualTo(new RouterDialect(18, false));
        assertThat(RouterDialect.ofXray("25.8.29")).isEqualTo(new RouterDialect(19, false));
        assertThat(RouterDialect.ofXray("26.3.27")).isEqualTo(new RouterDialect(19, false));
        assertThat(RouterDialect.ofXray("26.4.13")).isEqualTo(new RouterDialect(19, true));
        assertThat(RouterDialect.ofXray("26.7.28")).isEqualTo(new RouterDialect(19, true));
    }

    @Test
    void textAfterTheNumbersIsIgnored() {
        assertThat(RouterDialect.ofXray("26.4.13-beta1")).isEqualTo(new RouterDialect(19, true));
        assertThat(RouterDialect.ofXray("25.8")).isEqualTo(new RouterDialect(18, false));
    }
}
