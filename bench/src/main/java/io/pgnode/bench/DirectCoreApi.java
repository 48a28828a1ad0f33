package io.pgnode.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.pgnode.plugin.xray.api.AddUserOperation;
import io.pgnode.plugin.xray.api.AlterInboundRequest;
import io.pgnode.plugin.xray.api.AlterInboundResponse;
import io.pgnode.plugin.xray.api.CoreUser;
import io.pgnode.plugin.xray.api.GetStatsRequest;
import io.pgnode.plugin.xray.api.GetStatsResponse;
import io.pgnode.plugin.xray.api.QueryStatsRequest;
import io.pgnode.plugin.xray.api.QueryStatsResponse;
import io.pgnode.plugin.xray.api.RemoveUserOperation;
import io.pgnode.plugin.xray.api.SysStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.plugin.xray.api.TrojanAccount;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.plugin.xray.api.VlessAccount;
import io.pgnode.plugin.xray.api.VmessAccount;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The smallest client of a core's own API: what a script talking to the core straight would do, without
 * the node. Plaintext gRPC on loopback, callbacks on the transport thread, no retries.
 */
final class DirectCoreApi implements AutoCloseable {

    /** The package prefix of the API's names: {@code v2ray.core.} for v2fly, {@code xray.} for Xray. */
    static final String V2FLY = "v2ray.core.";
    static final String XRAY = "xray.";

    private final ManagedChannel channel;
    private final String prefix;
    private final MethodDescriptor<AlterInboundRequest, AlterInboundResponse> alterInbound;
    private final MethodDescriptor<QueryStatsRequest, QueryStatsResponse> queryStats;
    private final MethodDescriptor<SysStatsRequest, SysStatsResponse> sysStats;
    private final MethodDescriptor<GetStatsRequest, GetStatsResponse> getStats;

    DirectCoreApi(int port, String prefix) {
        this.prefix = prefix;
        this.channel = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(256 * 1024 * 1024)
                .build();
        String handler = prefix + "app.proxyman.command.HandlerService";
        String stats = prefix + "app.stats.command.StatsService";
        alterInbound = unary(handler, "AlterInbound", AlterInboundRequest.getDefaultInstance(),
                AlterInboundResponse.getDefaultInstance());
        queryStats = unary(stats, "QueryStats", QueryStatsRequest.getDefaultInstance(),
                QueryStatsResponse.getDefaultInstance());
        sysStats = unary(stats, "GetSysStats", SysStatsRequest.getDefaultInstance(),
                SysStatsResponse.getDefaultInstance());
        getStats = unary(stats, "GetStats", GetStatsRequest.getDefaultInstance(), GetStatsResponse.getDefaultInstance());
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String service, String method,
            Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    /** The account a {@link BenchUsers} user of that generation has in the inbound. */
    TypedMessage account(String tag, int index, int generation) {
        String id = BenchUsers.uuid(index, generation).toString();
        switch (tag) {
            case "vmess-in":
                return typed("proxy.vmess.Account", VmessAccount.newBuilder().setId(id).build().toByteString());
            case "vless-in":
                return typed("proxy.vless.Account", VlessAccount.newBuilder().setId(id).build().toByteString());
            case "trojan-in":
                return typed("proxy.trojan.Account",
                        TrojanAccount.newBuilder().setPassword(BenchUsers.password(index, generation)).build().toByteString());
            default:
                throw new IllegalArgumentException("no such inbound " + tag);
        }
    }

    CompletableFuture<Void> addUser(String tag, String email, TypedMessage account) {
        CoreUser user = CoreUser.newBuilder().setEmail(email).setLevel(0).setAccount(account).build();
        return alter(tag, typed("app.proxyman.command.AddUserOperation",
                AddUserOperation.newBuilder().setUser(user).build().toByteString()));
    }

    CompletableFuture<Void> removeUser(String tag, String email) {
        return alter(tag, typed("app.proxyman.command.RemoveUserOperation",
                RemoveUserOperation.newBuilder().setEmail(email).build().toByteString()));
    }

    private TypedMessage typed(String relativeName, ByteString value) {
        return TypedMessage.newBuilder().setType(prefix + relativeName).setValue(value).build();
    }

    private CompletableFuture<Void> alter(String tag, TypedMessage operation) {
        ListenableFuture<AlterInboundResponse> call = ClientCalls.futureUnaryCall(
                channel.newCall(alterInbound, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
                AlterInboundRequest.newBuilder().setTag(tag).setOperation(operation).build());
        CompletableFuture<Void> done = new CompletableFuture<>();
        call.addListener(() -> {
            try {
                call.get();
                done.complete(null);
            } catch (ExecutionException e) {
                done.completeExceptionally(e.getCause());
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        }, Runnable::run);
        return done;
    }

    QueryStatsResponse queryStats(String pattern, boolean reset) {
        return ClientCalls.blockingUnaryCall(channel, queryStats,
                CallOptions.DEFAULT.withDeadlineAfter(120, TimeUnit.SECONDS),
                QueryStatsRequest.newBuilder().setPattern(pattern).setReset(reset).build());
    }

    /** One counter's value, read without reset (the core looks it up by name; no scan of the others). */
    long counter(String name) {
        return ClientCalls.blockingUnaryCall(channel, getStats,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                GetStatsRequest.newBuilder().setName(name).build()).getStat().getValue();
    }

    SysStatsResponse sysStats(Duration timeout) {
        return ClientCalls.blockingUnaryCall(channel, sysStats,
                CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS),
                SysStatsRequest.getDefaultInstance());
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
