package io.pgnode.host.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestAuthenticatorTest {

    private static final String KEY = "3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01";
    private static final String OTHER = "00000000-0000-0000-0000-000000000000";

    private final AtomicInteger authenticated = new AtomicInteger();
    private final RequestAuthenticator authenticator =
            new RequestAuthenticator(ApiKey.parse(KEY).orElseThrow(), authenticated::incrementAndGet);

    @Test
    void acceptsTheKeyAsXApiKeyOrBearerToken() {
        authenticator.authenticate(null, KEY);
        authenticator.authenticate("Bearer " + KEY, null);
        authenticator.authenticate("bearer  " + KEY.toUpperCase(), null);

        assertThat(authenticated).hasValue(3);
    }

    @Test
    void noKeyAtAllIsMissing() {
        assertRefused(null, null, ErrorCode.MISSING_API_KEY);
        assertRefused(" ", "", ErrorCode.MISSING_API_KEY);
    }

    @Test
    void aMalformedOrWrongKeyIsInvalid() {
        assertRefused(null, "not-a-key", ErrorCode.INVALID_API_KEY);
        assertRefused("Bearer not-a-key", null, ErrorCode.INVALID_API_KEY);
        assertRefused("Basic " + KEY, null, ErrorCode.INVALID_API_KEY);
        assertRefused(null, OTHER, ErrorCode.INVALID_API_KEY);
        assertRefused("Bearer " + OTHER, null, ErrorCode.INVALID_API_KEY);
    }

    @Test
    void xApiKeyIsTheOneCheckedWhenBothArePresent() {
        assertRefused("Bearer " + KEY, OTHER, ErrorCode.INVALID_API_KEY);
        authenticator.authenticate("Bearer " + OTHER, KEY);

        assertThat(authenticated).hasValue(1);
    }

    private void assertRefused(String authorization, String xApiKey, ErrorCode code) {
        assertThatThrownBy(() -> authenticator.authenticate(authorization, xApiKey))
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(code))
                .message().doesNotContain(KEY);
        assertThat(authenticated).hasValue(0);
    }
}
