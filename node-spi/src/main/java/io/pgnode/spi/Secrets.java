package io.pgnode.spi;

/** Masks credentials so that a value's {@code toString()} never puts a secret into a log. */
final class Secrets {

    private Secrets() {}

    /** The first four characters and the length, e.g. {@code "3f2a…(36)"}; short values are fully hidden. */
    static String mask(String secret) {
        if (secret.length() <= 8) {
            return "***";
        }
        return secret.substring(0, 4) + "…(" + secret.length() + ")";
    }
}
