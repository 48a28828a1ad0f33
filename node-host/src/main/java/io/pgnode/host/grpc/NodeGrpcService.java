package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.EncodedStats;
import io.pgnode.host.wire.EncodedUsers;
import io.pgnode.host.wire.StatsAnswer;
import io.pgnode.host.wire.UsersChunkAssembler;
import io.pgnode.host.wire.WireMapping;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.BalancerInfoResponse;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.Log;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.OnlineStatResponse;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RouteResult;
import io.pgnode.proto.RoutingRulesResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatsOnlineIpListResponse;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.TestRouteRequest;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The RPCs of COMPAT.md: each one calls one {@link NodeService} method; failures become statuses. */
final class NodeGrpcService extends NodeServiceGrpc.NodeServiceImplBase {

    /**
     * The RPCs whose request messages are all held until the call ends (for {@link RequestParsing}: they share one
     * budget), with the name their errors give them.
     */
    static final Map<String, String> UPLOADS = Map.of(
            NodeServiceGrpc.getSyncUsersChunkedMethod().getFullMethodName(), UsersChunkAssembler.UPLOAD);

    private final NodeService service;
    private final Executor executor;
    private final BodyLimit limit;

    /** @param limit what the chunks of one chunked user upload may have together on the wire */
    NodeGrpcService(NodeService service, Executor executor, BodyLimit limit) {
        this.service = requireNonNull(service, "service is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.limit = requireNonNull(limit, "limit is null");
    }

    @Override
    public void start(Backend request, StreamObserver<BaseInfoResponse> response) {
        unary(response, () -> WireMapping.baseInfo(service.start(WireMapping.startRequest(request))));
    }

    @Override
    public void stop(Empty request, StreamObserver<Empty> response) {
        backendCall(response, () -> {
            service.stop();
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void getBaseInfo(Empty request, StreamObserver<BaseInfoResponse> response) {
        unary(response, () -> WireMapping.baseInfo(service.info()));
    }

    @Override
    public void getLogs(Empty request, StreamObserver<Log> response) {
        try {
            LogStreamWriter.start(service.subscribeLogs(), (ServerCallStreamObserver<Log>) response, executor);
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void getSystemStats(Empty request, StreamObserver<SystemStatsResponse> response) {
        backendCall(response, () -> WireMapping.systemStats(service.systemStats()));
    }

    @Override
    public void getBackendStats(Empty request, StreamObserver<BackendStatsResponse> response) {
        // no early UNAVAILABLE: backendStats() itself says "failed to get sys stats" (the panel's health check)
        unary(response, () -> WireMapping.backendStats(service.backendStats()));
    }

    /**
     * The generated definition, except that GetStats answers with the StatResponse {@link NodeService#stats}
     * already encoded, and SyncUsers takes its Users message as bytes read one user at a time
     * ({@link EncodedUsers}); the same methods on the wire: same names, same bytes. What the server serves.
     */
    ServerServiceDefinition definition() {
        ServerServiceDefinition generated = bindService();
        MethodDescriptor<StatRequest, StatResponse> getStats = NodeServiceGrpc.getGetStatsMethod();
        MethodDescriptor<StatRequest, EncodedStats> getStatsEncoded = getStats.toBuilder(
                getStats.getRequestMarshaller(), EncodedStatsMarshaller.INSTANCE).build();
        MethodDescriptor<io.pgnode.proto.Users, Empty> syncUsers = NodeServiceGrpc.getSyncUsersMethod();
        MethodDescriptor<EncodedUsers, Empty> syncEncodedUsers = syncUsers.toBuilder(
                EncodedUsersMarshaller.INSTANCE, syncUsers.getResponseMarshaller()).build();
        Set<String> replaced = Set.of(getStats.getFullMethodName(), syncUsers.getFullMethodName());
        ServerServiceDefinition.Builder definition =
                ServerServiceDefinition.builder(generated.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
            if (!replaced.contains(method.getMethodDescriptor().getFullMethodName())) {
                definition.addMethod(method);
            }
        }
        definition.addMethod(getStatsEncoded, ServerCalls.asyncUnaryCall(this::getEncodedStats));
        definition.addMethod(syncEncodedUsers, ServerCalls.asyncUnaryCall(this::syncEncodedUsers));
        return definition.build();
    }

    /** GetStats: a reset answer that does not reach the client (cancelled, past its deadline, reset) is given back. */
    private void getEncodedStats(StatRequest request, StreamObserver<EncodedStats> response) {
        StatsAnswer answer;
        try {
            service.requireStarted();
            answer = StatsAnswer.collect(service, WireMapping.statQuery(request));
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
            return;
        }
        if (answer.tookUsage()) {
            UndeliveredAnswer.watch((ServerCallStreamObserver<EncodedStats>) response, answer::giveBack);
        }
        response.onNext(answer.encoded());
        response.onCompleted();
    }

    @Override
    public void getOutboundsLatency(LatencyRequest request, StreamObserver<LatencyResponse> response) {
        backendCall(response, () -> WireMapping.latencyResponse(service.outboundLatencies(request.getName())));
    }

    @Override
    public void getUserOnlineStats(StatRequest request, StreamObserver<OnlineStatResponse> response) {
        backendCall(response, () -> WireMapping.onlineStat(request.getName(), service.onlineCount(request.getName())));
    }

    @Override
    public void getUserOnlineIpListStats(StatRequest request, StreamObserver<StatsOnlineIpListResponse> response) {
        backendCall(response, () -> WireMapping.onlineIps(request.getName(), service.onlineIps(request.getName())));
    }

    @Override
    public void listRoutingRules(Empty request, StreamObserver<RoutingRulesResponse> response) {
        backendCall(response, () -> WireMapping.routingRules(service.routingRules()));
    }

    @Override
    public void getBalancerInfo(BalancerInfoRequest request, StreamObserver<BalancerInfoResponse> response) {
        backendCall(response, () -> WireMapping.balancerInfo(service.balancerInfo(request.getTag())));
    }

    @Override
    public void testRoute(TestRouteRequest request, StreamObserver<RouteResult> response) {
        backendCall(response, () -> WireMapping.routeResult(service.testRoute(WireMapping.routeTest(request))));
    }

    @Override
    public void addRoutingRule(AddRoutingRuleRequest request, StreamObserver<Empty> response) {
        backendCall(response, () -> {
            service.addRoutingRule(request.getRule(), request.getShouldReset());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void removeRoutingRule(RemoveRoutingRuleRequest request, StreamObserver<Empty> response) {
        backendCall(response, () -> {
            service.removeRoutingRule(request.getRuleTag());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void overrideBalancerTarget(OverrideBalancerTargetRequest request, StreamObserver<Empty> response) {
        backendCall(response, () -> {
            service.overrideBalancerTarget(request.getBalancerTag(), request.getTarget());
            return Empty.getDefaultInstance();
        });
    }

    /** The panel keeps this stream open and sends each changed user as it changes. */
    @Override
    public StreamObserver<User> syncUser(StreamObserver<Empty> response) {
        return new ClientStream<>(response, user -> {
            service.requireStarted();
            service.syncUser(WireMapping.user(user));
        }, () -> {});
    }

    /** SyncUsers, served by {@link #definition()} with the message's bytes instead of the parsed message. */
    private void syncEncodedUsers(EncodedUsers request, StreamObserver<Empty> response) {
        backendCall(response, () -> {
            service.syncUsers(WireMapping.users(request));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public StreamObserver<UsersChunk> syncUsersChunked(StreamObserver<Empty> response) {
        UsersChunkAssembler assembler = new UsersChunkAssembler(limit);
        return new ClientStream<>(response, chunk -> {
            service.requireStarted();
            assembler.add(chunk);
        }, () -> {
            service.requireStarted();
            service.syncUsers(WireMapping.users(assembler.users()));
        });
    }

    /** A call that needs a started backend: UNAVAILABLE before its request is even looked at when none runs. */
    private <T> void backendCall(StreamObserver<T> response, Supplier<T> call) {
        unary(response, () -> {
            service.requireStarted();
            return call.get();
        });
    }

    private static <T> void unary(StreamObserver<T> response, Supplier<T> call) {
        T answer;
        try {
            answer = call.get();
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }

    /**
     * A client stream answered with Empty when the client completes it: each message goes to {@code onMessage};
     * the first failure ends the call with its status and the rest of the stream is ignored.
     */
    private static final class ClientStream<T> implements StreamObserver<T> {

        private final StreamObserver<Empty> response;
        private final Consumer<T> onMessage;
        private final Runnable onEnd;
        private boolean failed;

        ClientStream(StreamObserver<Empty> response, Consumer<T> onMessage, Runnable onEnd) {
            this.response = response;
            this.onMessage = onMessage;
            this.onEnd = onEnd;
        }

        @Override
        public void onNext(T message) {
            if (!failed) {
                attempt(() -> onMessage.accept(message));
            }
        }

        @Override
        public void onError(Throwable clientError) {
            failed = true; // the client cancelled: nothing to answer
        }

        @Override
        public void onCompleted() {
            if (!failed && attempt(onEnd)) {
                response.onNext(Empty.getDefaultInstance());
                response.onCompleted();
            }
        }

        private boolean attempt(Runnable step) {
            try {
                step.run();
                return true;
            } catch (RuntimeException e) {
                failed = true;
                response.onError(GrpcErrors.toStatus(e));
                return false;
            }
        }
    }
}
