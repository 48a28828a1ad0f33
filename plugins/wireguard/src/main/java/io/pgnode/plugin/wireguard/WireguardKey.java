package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import java.util.Base64;

/**
 * A WireGuard key (private, public or pre-shared): 32 bytes, written as the canonical base64 that {@code wg}
 * prints and accepts (44 characters ending in {@code =}). {@link #toString()} shows only the first characters,
 * so that a key in a log line or a message is never a whole key.
 */
final class WireguardKey {

    private static final int BYTES = 32;

    private final String base64;

    private WireguardKey(String base64) {
        this.base64 = base64;
    }

    /**
     * Parses a key.
     *
     * @throws IllegalArgumentException when the text is not the canonical base64 of 32 bytes; the message
     *     never repeats the text
     */
    static WireguardKey parse(String text) {
        requireNonNull(text, "text is null");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64 of 32 bytes");
        }
        // wg takes exactly the 44-character form: no line breaks, no missing padding, no stray low bits
        if (bytes.length != BYTES || !Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw new IllegalArgumentException("is not base64 of 32 bytes");
        }
        return new WireguardKey(text);
    }

    /** The key as {@code wg} takes it. Goes into key files and {@code wg} arguments for public keys only. */
    String base64() {
        return base64;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WireguardKey && ((WireguardKey) other).base64.equals(base64);
    }

    @Override
    public int hashCode() {
        return base64.hashCode();
    }

    /** The first six characters: enough to tell keys apart in a log, never the key. */
    @Override
    public String toString() {
        return base64.substring(0, 6) + "…";
    }
}
