package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AccountIdTest {

    private static final String CANONICAL = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    @Test
    void aUuidIsWrittenInTheCanonicalFormWhateverFormItCameIn() {
        assertThat(AccountId.of(CANONICAL).text()).isEqualTo(CANONICAL);
        assertThat(AccountId.of("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0").text()).isEqualTo(CANONICAL);
        assertThat(AccountId.of("0f1e2d3c4b5a69788796a5b4c3d2e1f0").text()).isEqualTo(CANONICAL);
        assertThat(AccountId.of("ffffffff-ffff-ffff-ffff-ffffffffffff").text()).isEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
    }

    @Test
    void twoFormsOfOneUuidAreTheSameAccountSoASyncChangesNothing() {
        UserEntry before = new UserEntry("a", Map.of("vmess", new InboundAccount.Vmess(CANONICAL)));
        UserEntry after = new UserEntry("a", Map.of("vmess", new InboundAccount.Vmess(CANONICAL.toUpperCase())));

        assertThat(UserDiff.between(Map.of("a", before), java.util.List.of(after), true, java.util.Set.of()).isEmpty())
                .isTrue();
    }

    @Test
    void anXrayShortIdIsKeptAsGiven() {
        assertThat(AccountId.of("alice-short-id").text()).isEqualTo("alice-short-id");
        assertThat(AccountId.of("alice-short-id")).isNotEqualTo(AccountId.of("bob-short-id"));
    }

    @Test
    void theIdNeverShowsInFull() {
        assertThat(AccountId.of(CANONICAL).toString()).doesNotContain(CANONICAL).startsWith("0f1e");
        assertThat(new InboundAccount.Vless(CANONICAL, "xtls-rprx-vision").toString()).doesNotContain(CANONICAL);
    }
}
