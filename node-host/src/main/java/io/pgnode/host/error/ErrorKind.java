package io.pgnode.host.error;

/**
 * What kind of failure a request met, independent of the transport. The REST mapper turns a kind into an
 * HTTP status, the gRPC mapper into a status code; nothing else decides that.
 */
public enum ErrorKind {
    /** The request cannot be served as sent (undecodable body, unknown backend type, bad config). */
    BAD_REQUEST,
    /** No API key, or not the node's. */
    UNAUTHENTICATED,
    /** No such route, user, inbound or outbound. */
    NOT_FOUND,
    /** The route exists but not for this method (REST only). */
    METHOD_NOT_ALLOWED,
    /** The request body is larger than the node accepts. */
    TOO_LARGE,
    /** The request body did not arrive within the node's deadline. */
    TIMED_OUT,
    /** The node has as much of this kind of work as it takes at once; the client may try again later. */
    BUSY,
    /** The request needs a running backend and none runs. */
    NOT_STARTED,
    /** The running backend lacks the ability. */
    UNSUPPORTED,
    /** The backend or its core failed. */
    BACKEND_FAILURE,
    /** The node itself failed (a bug). */
    INTERNAL
}
