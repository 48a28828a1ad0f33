package io.pgnode.host.error;

/**
 * Why the node cannot start: a bad setting, an unreadable certificate, a port in use. The message is the one
 * line the operator sees before the process exits, so it names the setting or file and what is wrong with it.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
