package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.pgnode.host.service.RequestActivity;
import io.pgnode.proto.NodeServiceGrpc;
import java.util.Set;

/**
 * Counts every call, from its start until it is answered or cancelled, in the node's {@link RequestActivity}, but
 * the two streams that stay open for as long as the panel likes: the log stream and the user-sync stream that
 * carries one user per message. A chunked sync is a request like any other.
 */
final class RequestActivityInterceptor implements ServerInterceptor {

    static final Set<String> OPEN_STREAMS = Set.of(NodeServiceGrpc.getGetLogsMethod().getFullMethodName(),
            NodeServiceGrpc.getSyncUserMethod().getFullMethodName());

    private final RequestActivity activity;

    RequestActivityInterceptor(RequestActivity activity) {
        this.activity = requireNonNull(activity, "activity is null");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (OPEN_STREAMS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        Runnable end = activity.begin();
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                end.run();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(counted, headers);
        } catch (RuntimeException e) {
            end.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                end.run();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                end.run();
                super.onComplete();
            }
        };
    }
}
