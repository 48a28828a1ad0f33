package io.pgnode.host.error;

import io.pgnode.spi.BackendException;

/**
 * The machine-readable code of an error, as the JSON body's {@code code} carries it. Each code has one
 * {@link ErrorKind}, so a code can never be sent with the wrong status.
 */
public enum ErrorCode {
    INVALID_PROTOBUF(ErrorKind.BAD_REQUEST),
    INVALID_CHUNKS(ErrorKind.BAD_REQUEST),
    UNKNOWN_BACKEND_TYPE(ErrorKind.BAD_REQUEST),
    MISSING_EMAIL(ErrorKind.BAD_REQUEST),
    INVALID_STAT_REQUEST(ErrorKind.BAD_REQUEST),
    INVALID_CONFIG(ErrorKind.BAD_REQUEST),
    INVALID_USER(ErrorKind.BAD_REQUEST),
    INVALID_REQUEST(ErrorKind.BAD_REQUEST),
    INVALID_URL(ErrorKind.BAD_REQUEST),
    MISSING_API_KEY(ErrorKind.UNAUTHENTICATED),
    INVALID_API_KEY(ErrorKind.UNAUTHENTICATED),
    NOT_FOUND(ErrorKind.NOT_FOUND),
    METHOD_NOT_ALLOWED(ErrorKind.METHOD_NOT_ALLOWED),
    BODY_TOO_LARGE(ErrorKind.TOO_LARGE),
    BODY_TIMEOUT(ErrorKind.TIMED_OUT),
    TOO_MANY_UPLOADS(ErrorKind.BUSY),
    BACKEND_NOT_STARTED(ErrorKind.NOT_STARTED),
    UNSUPPORTED(ErrorKind.UNSUPPORTED),
    BACKEND_FAILURE(ErrorKind.BACKEND_FAILURE),
    INTERNAL(ErrorKind.INTERNAL);

    private final ErrorKind kind;

    ErrorCode(ErrorKind kind) {
        this.kind = kind;
    }

    /** The kind the transports map to a status. */
    public ErrorKind kind() {
        return kind;
    }

    /** The code the panel sees for a backend's own error. */
    public static ErrorCode of(BackendException.Kind backendKind) {
        return switch (backendKind) {
            case INVALID_CONFIG -> INVALID_CONFIG;
            case INVALID_USER -> INVALID_USER;
            case INVALID_REQUEST -> INVALID_REQUEST;
            case NOT_FOUND -> NOT_FOUND;
            case UNSUPPORTED -> UNSUPPORTED;
            case FAILURE -> BACKEND_FAILURE;
        };
    }
}
