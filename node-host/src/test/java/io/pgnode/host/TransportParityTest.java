package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.grpc.GrpcErrors;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.BalancerInfoResponse;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.NodeServiceGrpc.NodeServiceBlockingStub;
import io.pgnode.proto.OnlineStatResponse;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RouteResult;
import io.pgnode.proto.RoutingRulesResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import io.pgnode.proto.StatsOnlineIpListResponse;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.TestRouteRequest;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REST and gRPC give the same answers, and the same errors, for the same state. */
class TransportParityTest {

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;
    private static NodeServiceBlockingStub grpc;

    @BeforeAll
    static void startNodeAndBackend() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        rest = node.rest();
        grpc = node.grpc();
        grpc.start(start("", user("a@x", "in-1"), user("b@x", "in-1", "in-2")));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void sameAnswers() {
        same("GET", "/info", null, BaseInfoResponse.parser(), () -> grpc.getBaseInfo(Empty.getDefaultInstance()));
        for (StatType type : new StatType[] {StatType.Outbounds, StatType.Inbounds, StatType.UsersStat}) {
            StatRequest request = StatRequest.newBuilder().setType(type).build();
            same("GET", "/stats", request, StatResponse.parser(), () -> grpc.getStats(request));
        }
        StatRequest userA = StatRequest.newBuilder().setType(StatType.UserStat).setName("a@x").build();
        same("GET", "/stats", userA, StatResponse.parser(), () -> grpc.getStats(userA));
        StatRequest userB = StatRequest.newBuilder().setName("b@x").build();
        same("GET", "/stats/user/online", userB, OnlineStatResponse.parser(), () -> grpc.getUserOnlineStats(userB));
        same("GET", "/stats/user/online_ip", userB, StatsOnlineIpListResponse.parser(),
                () -> grpc.getUserOnlineIpListStats(userB));
        same("GET", "/stats/latency", LatencyRequest.getDefaultInstance(), LatencyResponse.parser(),
                () -> grpc.getOutboundsLatency(LatencyRequest.getDefaultInstance()));
        same("GET", "/stats/backend", null, BackendStatsResponse.parser(),
                () -> grpc.getBackendStats(Empty.getDefaultInstance()));
        same("GET", "/routing/rules", null, RoutingRulesResponse.parser(),
                () -> grpc.listRoutingRules(Empty.getDefaultInstance()));
        BalancerInfoRequest balancer = BalancerInfoRequest.newBuilder().setTag("balancer").build();
        same("POST", "/routing/balancer", balancer, BalancerInfoResponse.parser(), () -> grpc.getBalancerInfo(balancer));
        TestRouteRequest route = TestRouteRequest.newBuilder().setInboundTag("in-1").setTargetDomain("a.blocked").build();
        same("POST", "/routing/test", route, RouteResult.parser(), () -> grpc.testRoute(route));
    }

    @Test
    void sameMachineFigures() {
        SystemStatsResponse viaRest = rest.systemStats();
        SystemStatsResponse viaGrpc = grpc.getSystemStats(Empty.getDefaultInstance());

        assertThat(viaRest.getCpuCores()).isEqualTo(viaGrpc.getCpuCores());
        assertThat(viaRest.getMemTotal()).isEqualTo(viaGrpc.getMemTotal());
    }

    @Test
    void sameErrors() {
        StatRequest nobody = StatRequest.newBuilder().setType(StatType.UserStat).setName("nobody").build();
        sameError("GET", "/stats", nobody, 404, () -> grpc.getStats(nobody), Status.Code.NOT_FOUND);
        StatRequest nameless = StatRequest.newBuilder().setType(StatType.Inbound).build();
        sameError("GET", "/stats", nameless, 400, () -> grpc.getStats(nameless), Status.Code.INVALID_ARGUMENT);
        sameError("POST", "/start", start("").toBuilder().setTypeValue(9).build(), 400,
                () -> grpc.start(start("").toBuilder().setTypeValue(9).build()), Status.Code.INVALID_ARGUMENT);
        AddRoutingRuleRequest badRule = AddRoutingRuleRequest.newBuilder().setRule("{\"outboundTag\": \"x\"}").build();
        sameError("PUT", "/routing/rules", badRule, 400, () -> grpc.addRoutingRule(badRule), Status.Code.INVALID_ARGUMENT);
        RemoveRoutingRuleRequest noTag = RemoveRoutingRuleRequest.getDefaultInstance();
        sameError("DELETE", "/routing/rules", noTag, 400, () -> grpc.removeRoutingRule(noTag), Status.Code.INVALID_ARGUMENT);
        BalancerInfoRequest unknown = BalancerInfoRequest.newBuilder().setTag("nope").build();
        sameError("POST", "/routing/balancer", unknown, 404, () -> grpc.getBalancerInfo(unknown), Status.Code.NOT_FOUND);
    }

    private static <T extends Message> void same(
            String method, String path, Message request, Parser<T> parser, Supplier<T> viaGrpc) {
        T viaRest = expectOk(rest.call(method, path, request)).as(parser);
        assertThat(viaRest).as("%s %s", method, path).isEqualTo(viaGrpc.get());
    }

    private static void sameError(String method, String path, Message request, int httpStatus, Runnable viaGrpc,
            Status.Code grpcCode) {
        TestingRestClient.Response response = rest.call(method, path, request);
        StatusRuntimeException status = catchThrowableOfType(StatusRuntimeException.class, viaGrpc::run);

        assertThat(response.status()).isEqualTo(httpStatus);
        assertThat(status.getStatus().getCode()).isEqualTo(grpcCode);
        assertThat(status.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo(response.errorCode());
        assertThat(status.getStatus().getDescription()).isEqualTo(response.errorMessage());
    }

    private static TestingRestClient.Response expectOk(TestingRestClient.Response response) {
        assertThat(response.status()).isEqualTo(200);
        return response;
    }
}
