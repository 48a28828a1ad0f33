package io.pgnode.host.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The node's API key: a UUID the panel sends with every request. Its {@link #toString()} never shows it.
 */
public final class ApiKey {

    /** The setting that configures the key. */
    public static final String SETTING = "API_KEY";

    // UUID.fromString accepts "1-2-3-4-5"; a key must be the canonical 8-4-4-4-12 hex form.
    private static final Pattern CANONICAL_UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final String value;
    private final byte[] bytes;

    private ApiKey(String value) {
        this.value = value.toLowerCase(Locale.ROOT);
        this.bytes = this.value.getBytes(StandardCharsets.US_ASCII);
    }

    /** The key in {@code text}, or empty when it is not a UUID in canonical form (case does not matter). */
    public static Optional<ApiKey> parse(String text) {
        if (text == null || !CANONICAL_UUID.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(new ApiKey(text));
    }

    /** A fresh random key. */
    public static ApiKey generate() {
        return new ApiKey(UUID.randomUUID().toString());
    }

    /** Whether the presented key is this one; the comparison takes the same time wherever they differ. */
    public boolean matches(ApiKey presented) {
        return MessageDigest.isEqual(bytes, presented.bytes);
    }

    /** The key itself, lower case. Only for persisting it and the one-time print on first run. */
    public String reveal() {
        return value;
    }

    /** The key with all but its first four characters hidden, e.g. {@code 3f2a****-****-****-****-************}. */
    public String masked() {
        return value.substring(0, 4) + value.substring(4).replaceAll("[0-9a-f]", "*");
    }

    @Override
    public String toString() {
        return "ApiKey[hidden]";
    }
}
