package io.pgnode.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.grpc.GrpcErrors;
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
import io.pgnode.proto.NodeServiceGrpc.NodeServiceStub;
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
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every REST route and every RPC refuses a request without the node's key, and takes the key both as
 * {@code x-api-key} and as a Bearer token. The node has no plugins, so no backend ever starts and no route
 * can stream forever once let in.
 */
class AuthMatrixTest {

    private static final String[][] ROUTES = {
        {"POST", "/start"}, {"PUT", "/stop"}, {"GET", "/info"}, {"GET", "/logs"}, {"GET", "/stats"},
        {"GET", "/stats/"}, {"GET", "/stats/latency"}, {"GET", "/stats/user/online"},
        {"GET", "/stats/user/online_ip"}, {"GET", "/stats/backend"}, {"GET", "/stats/system"},
        {"PUT", "/user/sync"}, {"PUT", "/users/sync"}, {"PUT", "/users/sync/chunked"},
        {"GET", "/routing/rules"}, {"PUT", "/routing/rules"}, {"DELETE", "/routing/rules"},
        {"POST", "/routing/balancer"}, {"POST", "/routing/test"}, {"PUT", "/routing/balancer/override"},
    };

    private static final Map<String, Function<NodeServiceStub, TestingStreamObserver<?>>> RPCS = rpcs();

    private static TestingNode node;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    static Stream<Arguments> refusedRoutes() {
        List<Arguments> cases = new ArrayList<>();
        for (String[] route : ROUTES) {
            for (Arguments credentials : badCredentials()) {
                cases.add(Arguments.of(route[0], route[1], credentials.get()[0], credentials.get()[1]));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> refusedRpcs() {
        List<Arguments> cases = new ArrayList<>();
        for (String rpc : RPCS.keySet()) {
            for (Arguments credentials : badCredentials()) {
                cases.add(Arguments.of(rpc, credentials.get()[0], credentials.get()[1]));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> acceptedRoutes() {
        return Stream.of(ROUTES).flatMap(route -> Stream.of("x-api-key", "authorization")
                .map(header -> Arguments.of(route[0], route[1], header)));
    }

    static Stream<Arguments> acceptedRpcs() {
        return RPCS.keySet().stream().flatMap(rpc -> Stream.of("x-api-key", "authorization")
                .map(header -> Arguments.of(rpc, header)));
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("refusedRoutes")
    void restRefuses(String method, String path, Map<String, String> headers, String code) {
        TestingRestClient.Response response = node.rest().withHeaders(headers).call(method, path, new byte[0]);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.contentType()).isEqualTo("application/json");
        assertThat(response.errorCode()).isEqualTo(code);
        assertThat(response.errorMessage()).doesNotContain(node.apiKey());
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("refusedRpcs")
    void grpcRefuses(String rpc, Map<String, String> headers, String code) {
        TestingStreamObserver<?> answer = RPCS.get(rpc).apply(node.grpcAsyncWithHeaders(headers));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(answer::isDone);
        assertThat(answer.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(((StatusRuntimeException) answer.error()).getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo(code);
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("acceptedRoutes")
    void restAcceptsTheKeyInEitherHeader(String method, String path, String header) {
        TestingRestClient.Response response = node.rest().withHeaders(headerWithKey(header)).call(method, path, new byte[0]);

        assertThat(response.status()).isNotEqualTo(401).isIn(200, 400, 503);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("acceptedRpcs")
    void grpcAcceptsTheKeyInEitherHeader(String rpc, String header) {
        TestingStreamObserver<?> answer = RPCS.get(rpc).apply(node.grpcAsyncWithHeaders(headerWithKey(header)));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(answer::isDone);
        assertThat(answer.status().getCode()).isIn(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.UNAVAILABLE);
    }

    private static Map<String, String> headerWithKey(String header) {
        return header.equals("authorization")
                ? Map.of("authorization", "Bearer " + node.apiKey())
                : Map.of("x-api-key", node.apiKey());
    }

    private static List<Arguments> badCredentials() {
        String wrong = UUID.randomUUID().toString();
        return List.of(
                Arguments.of(Map.of(), "MISSING_API_KEY"),
                Arguments.of(Map.of("x-api-key", "not-a-uuid"), "INVALID_API_KEY"),
                Arguments.of(Map.of("authorization", "Bearer not-a-uuid"), "INVALID_API_KEY"),
                Arguments.of(Map.of("x-api-key", wrong), "INVALID_API_KEY"),
                Arguments.of(Map.of("authorization", "Bearer " + wrong), "INVALID_API_KEY"));
    }

    private static Map<String, Function<NodeServiceStub, TestingStreamObserver<?>>> rpcs() {
        Map<String, Function<NodeServiceStub, TestingStreamObserver<?>>> rpcs = new LinkedHashMap<>();
        rpcs.put("Start", stub -> AuthMatrixTest.<BaseInfoResponse>unary(o -> stub.start(Backend.getDefaultInstance(), o)));
        rpcs.put("Stop", stub -> AuthMatrixTest.<Empty>unary(o -> stub.stop(Empty.getDefaultInstance(), o)));
        rpcs.put("GetBaseInfo", stub -> AuthMatrixTest.<BaseInfoResponse>unary(o -> stub.getBaseInfo(Empty.getDefaultInstance(), o)));
        rpcs.put("GetLogs", stub -> AuthMatrixTest.<Log>unary(o -> stub.getLogs(Empty.getDefaultInstance(), o)));
        rpcs.put("GetSystemStats", stub -> AuthMatrixTest.<SystemStatsResponse>unary(o -> stub.getSystemStats(Empty.getDefaultInstance(), o)));
        rpcs.put("GetBackendStats", stub -> AuthMatrixTest.<BackendStatsResponse>unary(o -> stub.getBackendStats(Empty.getDefaultInstance(), o)));
        rpcs.put("GetStats", stub -> AuthMatrixTest.<StatResponse>unary(o -> stub.getStats(StatRequest.getDefaultInstance(), o)));
        rpcs.put("GetOutboundsLatency", stub -> AuthMatrixTest.<LatencyResponse>unary(o -> stub.getOutboundsLatency(LatencyRequest.getDefaultInstance(), o)));
        rpcs.put("GetUserOnlineStats", stub -> AuthMatrixTest.<OnlineStatResponse>unary(o -> stub.getUserOnlineStats(StatRequest.getDefaultInstance(), o)));
        rpcs.put("GetUserOnlineIpListStats",
                stub -> AuthMatrixTest.<StatsOnlineIpListResponse>unary(o -> stub.getUserOnlineIpListStats(StatRequest.getDefaultInstance(), o)));
        rpcs.put("SyncUser", stub -> clientStream(o -> stub.syncUser(o), User.newBuilder().setEmail("a@x").build()));
        rpcs.put("SyncUsers", stub -> AuthMatrixTest.<Empty>unary(o -> stub.syncUsers(Users.getDefaultInstance(), o)));
        rpcs.put("SyncUsersChunked",
                stub -> clientStream(o -> stub.syncUsersChunked(o), UsersChunk.newBuilder().setLast(true).build()));
        rpcs.put("ListRoutingRules",
                stub -> AuthMatrixTest.<RoutingRulesResponse>unary(o -> stub.listRoutingRules(Empty.getDefaultInstance(), o)));
        rpcs.put("GetBalancerInfo",
                stub -> AuthMatrixTest.<BalancerInfoResponse>unary(o -> stub.getBalancerInfo(BalancerInfoRequest.getDefaultInstance(), o)));
        rpcs.put("TestRoute", stub -> AuthMatrixTest.<RouteResult>unary(o -> stub.testRoute(TestRouteRequest.getDefaultInstance(), o)));
        rpcs.put("AddRoutingRule",
                stub -> AuthMatrixTest.<Empty>unary(o -> stub.addRoutingRule(AddRoutingRuleRequest.getDefaultInstance(), o)));
        rpcs.put("RemoveRoutingRule",
                stub -> AuthMatrixTest.<Empty>unary(o -> stub.removeRoutingRule(RemoveRoutingRuleRequest.getDefaultInstance(), o)));
        rpcs.put("OverrideBalancerTarget", stub -> AuthMatrixTest.<Empty>unary(
                o -> stub.overrideBalancerTarget(OverrideBalancerTargetRequest.getDefaultInstance(), o)));
        return rpcs;
    }

    private static <T> TestingStreamObserver<T> unary(Consumer<TestingStreamObserver<T>> call) {
        TestingStreamObserver<T> observer = new TestingStreamObserver<>();
        call.accept(observer);
        return observer;
    }

    private static <Q> TestingStreamObserver<Empty> clientStream(
            Function<TestingStreamObserver<Empty>, StreamObserver<Q>> open, Q message) {
        TestingStreamObserver<Empty> observer = new TestingStreamObserver<>();
        StreamObserver<Q> requests = open.apply(observer);
        requests.onNext(message);
        requests.onCompleted();
        return observer;
    }
}
