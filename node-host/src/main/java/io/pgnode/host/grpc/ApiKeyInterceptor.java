package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.auth.RequestAuthenticator;
import io.pgnode.host.error.NodeException;

/** Refuses every call without the node's API key in {@code x-api-key} or {@code authorization: Bearer}. */
final class ApiKeyInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> API_KEY =
            Metadata.Key.of(RequestAuthenticator.API_KEY_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final RequestAuthenticator authenticator;

    ApiKeyInterceptor(RequestAuthenticator authenticator) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        try {
            authenticator.authenticate(headers.get(AUTHORIZATION), headers.get(API_KEY));
        } catch (NodeException e) {
            StatusRuntimeException refusal = GrpcErrors.toStatus(e);
            call.close(refusal.getStatus(), refusal.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
