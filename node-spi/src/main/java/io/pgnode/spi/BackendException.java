package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

/**
 * The one error type of the SPI. The {@link Kind} decides what the panel sees (HTTP status and gRPC
 * code); the message is shown to the operator as is, so write it as a sentence they can act on and include
 * the core's own words when the core refused something.
 */
public class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the panel is concerned. */
    public enum Kind {
        /** The panel's config cannot be run (bad JSON, the core rejected it). Panel sees 400. */
        INVALID_CONFIG,
        /** A user's credentials cannot be taken (bad UUID, unknown cipher). Panel sees 400. */
        INVALID_USER,
        /**
         * The request does not apply to this backend or names something malformed (inbound stats of a backend
         * without inbounds, a routing rule that is not JSON). Panel sees 400.
         */
        INVALID_REQUEST,
        /** A named user, inbound or outbound is unknown. Panel sees 404. */
        NOT_FOUND,
        /** The backend or its core lacks this ability. Panel sees 501. */
        UNSUPPORTED,
        /** The core failed (cannot start, crashed, API error). Panel sees 500. */
        FAILURE
    }

    private final Kind kind;

    /** An error of the given kind with an operator-facing message. */
    public BackendException(Kind kind, String message) {
        super(requireNonNull(message, "message is null"));
        this.kind = requireNonNull(kind, "kind is null");
    }

    /** An error of the given kind with an operator-facing message and the cause behind it. */
    public BackendException(Kind kind, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.kind = requireNonNull(kind, "kind is null");
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The error an optional ability's default throws: "this backend does not support {@code ability}". */
    public static BackendException unsupported(String ability) {
        return new BackendException(Kind.UNSUPPORTED, "this backend does not support " + ability);
    }
}
