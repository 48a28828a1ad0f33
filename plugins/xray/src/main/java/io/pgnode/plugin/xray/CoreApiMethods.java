package io.pgnode.plugin.xray;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.pgnode.plugin.xray.api.AlterInboundRequest;
import io.pgnode.plugin.xray.api.AlterInboundResponse;
import io.pgnode.plugin.xray.api.GetStatsOnlineIpListResponse;
import io.pgnode.plugin.xray.api.GetStatsRequest;
import io.pgnode.plugin.xray.api.GetStatsResponse;
import io.pgnode.plugin.xray.api.QueryStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsResponse;

/**
 * The core API methods the plugin calls, named for one flavor. Only the full method name differs between
 * Xray and v2fly; the messages are the same, so the descriptors are built here instead of generated per
 * proto package.
 */
record CoreApiMethods(
        MethodDescriptor<AlterInboundRequest, AlterInboundResponse> alterInbound,
        MethodDescriptor<QueryStatsRequest, CoreCounters> queryStats,
        MethodDescriptor<GetStatsRequest, GetStatsResponse> getStats,
        MethodDescriptor<SysStatsRequest, SysStatsResponse> getSysStats,
        MethodDescriptor<GetStatsRequest, GetStatsResponse> getStatsOnline,
        MethodDescriptor<GetStatsRequest, GetStatsOnlineIpListResponse> getStatsOnlineIpList) {

    static CoreApiMethods of(CoreFlavor flavor) {
        String handler = flavor.handlerService();
        String stats = flavor.statsService();
        return new CoreApiMethods(
                unary(handler, "AlterInbound", AlterInboundRequest.getDefaultInstance(),
                        AlterInboundResponse.getDefaultInstance()),
                unary(stats, "QueryStats", ProtoUtils.marshaller(QueryStatsRequest.getDefaultInstance()),
                        CoreCounters.MARSHALLER),
                unary(stats, "GetStats", GetStatsRequest.getDefaultInstance(), GetStatsResponse.getDefaultInstance()),
                unary(stats, "GetSysStats", SysStatsRequest.getDefaultInstance(),
                        SysStatsResponse.getDefaultInstance()),
                unary(stats, "GetStatsOnline", GetStatsRequest.getDefaultInstance(),
                        GetStatsResponse.getDefaultInstance()),
                unary(stats, "GetStatsOnlineIpList", GetStatsRequest.getDefaultInstance(),
                        GetStatsOnlineIpListResponse.getDefaultInstance()));
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String service, String method,
            Q request, R response) {
        return unary(service, method, ProtoUtils.marshaller(request), ProtoUtils.marshaller(response));
    }

    private static <Q, R> MethodDescriptor<Q, R> unary(String service, String method,
            MethodDescriptor.Marshaller<Q> request, MethodDescriptor.Marshaller<R> response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(request)
                .setResponseMarshaller(response)
                .build();
    }
}
