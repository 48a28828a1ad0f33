package io.pgnode.host.error;

import static java.util.Objects.requireNonNull;

/**
 * The one error type a request can end with. Its message is a sentence for the panel's operator; it goes to
 * the client as is, so it never carries a stack trace, a secret or an internal class name they cannot act on.
 */
public final class NodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public NodeException(ErrorCode code, String message) {
        super(requireNonNull(message, "message is null"));
        this.code = requireNonNull(code, "code is null");
    }

    public NodeException(ErrorCode code, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorKind kind() {
        return code.kind();
    }

    /**
     * The error of every backend route while no backend runs. Its words "core is not started yet" are the upstream
     * node's: the panel matches them and does not re-Start a node that says so.
     */
    public static NodeException notStarted() {
        return new NodeException(
                ErrorCode.BACKEND_NOT_STARTED, "core is not started yet: no backend is running; send Start first.");
    }
}
