package io.pgnode.host.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeyTest {

    private static final String KEY = "3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01";

    @Test
    void onlyTheCanonicalUuidFormIsAKey() {
        assertThat(ApiKey.parse(KEY)).isPresent();
        assertThat(ApiKey.parse(KEY.toUpperCase())).isPresent();
        assertThat(ApiKey.parse("1-2-3-4-5")).isEmpty(); // UUID.fromString would take it
        assertThat(ApiKey.parse(KEY + " ")).isEmpty();
        assertThat(ApiKey.parse("3f2a1c9e8d474b1a9c0e5b6d7e8f9a01")).isEmpty();
        assertThat(ApiKey.parse("")).isEmpty();
        assertThat(ApiKey.parse(null)).isEmpty();
    }

    @Test
    void matchesTheSameUuidInAnyCase() {
        ApiKey key = ApiKey.parse(KEY).orElseThrow();

        assertThat(key.matches(ApiKey.parse(KEY.toUpperCase()).orElseThrow())).isTrue();
        assertThat(key.matches(ApiKey.generate())).isFalse();
    }

    @Test
    void neverShowsItselfInToString() {
        assertThat(ApiKey.parse(KEY).orElseThrow().toString()).doesNotContain("3f2a");
    }

    @Test
    void generatedKeysAreFreshUuids() {
        ApiKey first = ApiKey.generate();

        assertThat(ApiKey.parse(first.reveal())).isPresent();
        assertThat(first.matches(ApiKey.generate())).isFalse();
    }
}
