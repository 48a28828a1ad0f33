package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.pgnode.plugin.xray.api.AddUserOperation;
import io.pgnode.plugin.xray.api.AlterInboundRequest;
import io.pgnode.plugin.xray.api.AlterInboundResponse;
import io.pgnode.plugin.xray.api.CoreUser;
import io.pgnode.plugin.xray.api.GetStatsRequest;
import io.pgnode.plugin.xray.api.QueryStatsRequest;
import io.pgnode.plugin.xray.api.RemoveUserOperation;
import io.pgnode.plugin.xray.api.SysStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Talks to one running core's gRPC API, in the core's flavor: AlterInbound (asynchronous, so that big
 * diffs can be pipelined), QueryStats, GetSysStats and the Xray-only online statistics.
 */
final class CoreApiClient implements AutoCloseable {

    private static final Duration ALTER_DEADLINE = Duration.ofSeconds(15);
    private static final Duration STATS_DEADLINE = Duration.ofSeconds(60);

    private final ManagedChannel channel;
    private final CoreFlavor flavor;
    private final CoreApiMethods methods;

    CoreApiClient(ManagedChannel channel, CoreFlavor flavor) {
        this.channel = requireNonNull(channel, "channel is null");
        this.flavor = requireNonNull(flavor, "flavor is null");
        this.methods = CoreApiMethods.of(flavor);
    }

    /** The channel to the core's API, for the services other roles call (routing, the observatory). */
    ManagedChannel channel() {
        return channel;
    }

    /** Adds the user to the inbound. Completes exceptionally with the core's {@link StatusRuntimeException}. */
    CompletableFuture<Void> addUser(String tag, String email, InboundAccount account) {
        CoreUser user = CoreUser.newBuilder()
                .setLevel(InboundAccount.LEVEL)
                .setEmail(email)
                .setAccount(account.toTypedMessage(flavor))
                .build();
        return alter(tag, typed("app.proxyman.command.AddUserOperation",
                AddUserOperation.newBuilder().setUser(user).build().toByteString()));
    }

    /** Removes the user from the inbound. Completes exceptionally with the core's {@link StatusRuntimeException}. */
    CompletableFuture<Void> removeUser(String tag, String email) {
        return alter(tag, typed("app.proxyman.command.RemoveUserOperation",
                RemoveUserOperation.newBuilder().setEmail(email).build().toByteString()));
    }

    private TypedMessage typed(String relativeName, com.google.protobuf.ByteString value) {
        return TypedMessage.newBuilder().setType(flavor.typeName(relativeName)).setValue(value).build();
    }

    private CompletableFuture<Void> alter(String tag, TypedMessage operation) {
        AlterInboundRequest request = AlterInboundRequest.newBuilder().setTag(tag).setOperation(operation).build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel.newCall(methods.alterInbound(), deadline(ALTER_DEADLINE)), request,
                new StreamObserver<AlterInboundResponse>() {
                    @Override
                    public void onNext(AlterInboundResponse value) {}

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        return done;
    }

    /**
     * The counters whose names contain {@code pattern} (a plain substring; empty = all).
     *
     * @param reset zero the counters after reading them; the answer holds the values before the reset
     */
    CoreCounters queryStats(String pattern, boolean reset) {
        QueryStatsRequest request = QueryStatsRequest.newBuilder().setPattern(pattern).setReset(reset).build();
        return call(methods.queryStats(), request, STATS_DEADLINE, "QueryStats");
    }

    /** The core's runtime figures; also the health probe. Throws {@link BackendException} FAILURE. */
    SysStatsResponse sysStats(Duration timeout) {
        return call(methods.getSysStats(), SysStatsRequest.getDefaultInstance(), timeout, "GetSysStats");
    }

    /** Distinct source IPs the user is connected from now (Xray only: v2fly answers UNIMPLEMENTED). */
    long onlineCount(String email) {
        return call(methods.getStatsOnline(), onlineRequest(email), STATS_DEADLINE, "GetStatsOnline")
                .getStat().getValue();
    }

    /** Source IP → last seen (Unix seconds) for the user (Xray only: v2fly answers UNIMPLEMENTED). */
    Map<String, Long> onlineIps(String email) {
        return call(methods.getStatsOnlineIpList(), onlineRequest(email), STATS_DEADLINE, "GetStatsOnlineIpList")
                .getIpsMap();
    }

    private static GetStatsRequest onlineRequest(String email) {
        return GetStatsRequest.newBuilder().setName("user>>>" + email + ">>>online").build();
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request, Duration timeout, String name) {
        try {
            return ClientCalls.blockingUnaryCall(channel, method, deadline(timeout), request);
        } catch (StatusRuntimeException e) {
            throw translate(name, e);
        }
    }

    private static CallOptions deadline(Duration timeout) {
        return CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The core's answer as the SPI's error: a missing record (NOT_FOUND on Xray, UNKNOWN "... not found." on
     * older cores) is NOT_FOUND, a method the core lacks is UNSUPPORTED, the rest FAILURE with the core's words.
     */
    static BackendException translate(String call, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCode() == Status.Code.NOT_FOUND
                || (status.getCode() == Status.Code.UNKNOWN && isNotFound(description))) {
            return new BackendException(BackendException.Kind.NOT_FOUND, "the core has no record of that: " + description, e);
        }
        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
            return new BackendException(BackendException.Kind.UNSUPPORTED, "the running core does not support " + call, e);
        }
        return new BackendException(BackendException.Kind.FAILURE,
                "the core's API failed on " + call + ": " + status.getCode() + " " + description, e);
    }

    /** Core errors carry Go error chains; match the trailing words, not the package prefix (XRAY-API.md §7). */
    static boolean isNotFound(String description) {
        return description.endsWith("not found.");
    }

    static boolean isAlreadyExists(String description) {
        return description.endsWith("already exists.");
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
