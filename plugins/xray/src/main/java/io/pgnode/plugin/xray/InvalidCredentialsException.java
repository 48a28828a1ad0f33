package io.pgnode.plugin.xray;

/** A user's credentials cannot go into an inbound; the message says why without showing the secret. */
final class InvalidCredentialsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidCredentialsException(String reason) {
        super(reason);
    }
}
