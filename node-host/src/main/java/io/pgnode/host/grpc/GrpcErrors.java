package io.pgnode.host.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.ErrorKind;
import io.pgnode.host.error.NodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC side of error mapping: a status code with the sentence as description, and the node's error
 * code in the {@code error-code} trailer, the counterpart of the REST body's {@code code}.
 */
public final class GrpcErrors {

    /** Trailer with the machine-readable code, e.g. {@code BACKEND_NOT_STARTED}. */
    public static final Metadata.Key<String> ERROR_CODE =
            Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    static Status.Code code(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST -> Status.Code.INVALID_ARGUMENT;
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case METHOD_NOT_ALLOWED, UNSUPPORTED -> Status.Code.UNIMPLEMENTED;
            case TOO_LARGE -> Status.Code.RESOURCE_EXHAUSTED;
            case TIMED_OUT -> Status.Code.DEADLINE_EXCEEDED;
            case BUSY -> Status.Code.UNAVAILABLE;
            case NOT_STARTED -> Status.Code.UNAVAILABLE;
            case BACKEND_FAILURE, INTERNAL -> Status.Code.INTERNAL;
        };
    }

    /** The status a failed call ends with. */
    static StatusRuntimeException toStatus(Throwable failure) {
        NodeException error = failure instanceof NodeException known ? known : unexpected(failure);
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, error.code().name());
        return Status.fromCode(code(error.kind())).withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    private static NodeException unexpected(Throwable failure) {
        log.error("A gRPC call failed", failure);
        return new NodeException(ErrorCode.INTERNAL, "The node failed to answer this call; its log has the details.");
    }
}
