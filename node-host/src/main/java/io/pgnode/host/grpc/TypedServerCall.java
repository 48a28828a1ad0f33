package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;

/**
 * A call that takes its requests as bytes ({@link RequestParsing}) seen by the service code as the call of the
 * method it implements: everything goes to the underlying call; only the method descriptor is the typed one.
 */
final class TypedServerCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

    private final MethodDescriptor<Q, R> method;

    TypedServerCall(ServerCall<?, R> call, MethodDescriptor<Q, R> method) {
        super(asTyped(call));
        this.method = requireNonNull(method, "method is null");
    }

    /**
     * The request type appears in no method a server call has but its descriptor (requests go to the listener),
     * so the underlying call serves as the typed one; {@link #getMethodDescriptor()} gives the typed descriptor.
     */
    @SuppressWarnings("unchecked")
    private static <Q, R> ServerCall<Q, R> asTyped(ServerCall<?, R> call) {
        return (ServerCall<Q, R>) requireNonNull(call, "call is null");
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
        return method;
    }
}
