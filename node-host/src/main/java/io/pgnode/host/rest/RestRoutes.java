package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.RequestMessages;
import io.pgnode.host.wire.StatsAnswer;
import io.pgnode.host.wire.UsersChunkAssembler;
import io.pgnode.host.wire.WireMapping;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.TestRouteRequest;
import io.pgnode.proto.User;
import io.pgnode.spi.StatQuery;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The REST API of COMPAT.md: each route decodes its body, calls one {@link NodeService} method and encodes
 * the answer. Unknown paths are 404 and known paths with the wrong method 405 (with {@code Allow}), both
 * as JSON errors.
 */
final class RestRoutes {

    private final NodeService service;
    private final BodyLimit limit;
    private final RoutingHandler routing = Handlers.routing();
    private final Map<String, Set<String>> methodsByPath = new TreeMap<>();

    private RestRoutes(NodeService service, BodyLimit limit) {
        this.service = requireNonNull(service, "service is null");
        this.limit = requireNonNull(limit, "limit is null");
    }

    /**
     * The routing handler; it throws {@link NodeException}s for the caller to answer. Bodies are read before it
     * runs ({@link RequestBodies}).
     *
     * @param limit what one request body (or chunked user upload) may cost, on the wire and once parsed
     */
    static HttpHandler create(NodeService service, BodyLimit limit) {
        return new RestRoutes(service, limit).register();
    }

    private HttpHandler register() {
        routeWithoutBackend(Methods.POST, "/start", exchange -> ProtobufExchange.send(exchange, WireMapping.baseInfo(
                service.start(WireMapping.startRequest(read(exchange, Backend.getDefaultInstance()))))));
        route(Methods.PUT, "/stop", exchange -> {
            service.stop();
            ProtobufExchange.sendEmpty(exchange);
        });
        routeWithoutBackend(Methods.GET, "/info", exchange -> ProtobufExchange.send(exchange, WireMapping.baseInfo(service.info())));
        route(Methods.GET, LogStreamRoute.PATH, new LogStreamRoute(service));
        HttpHandler stats = exchange -> {
            StatQuery query = WireMapping.statQuery(read(exchange, StatRequest.getDefaultInstance()));
            StatsAnswer answer = StatsAnswer.collect(service, query);
            if (!ProtobufExchange.send(exchange, answer.encoded()) && answer.tookUsage()) {
                answer.giveBack();
            }
        };
        route(Methods.GET, "/stats", stats);
        route(Methods.GET, "/stats/", stats);
        route(Methods.GET, "/stats/latency", exchange -> ProtobufExchange.send(exchange, WireMapping.latencyResponse(
                service.outboundLatencies(
                        read(exchange, LatencyRequest.getDefaultInstance()).getName()))));
        route(Methods.GET, "/stats/user/online", exchange -> {
            String name = read(exchange, StatRequest.getDefaultInstance()).getName();
            ProtobufExchange.send(exchange, WireMapping.onlineStat(name, service.onlineCount(name)));
        });
        route(Methods.GET, "/stats/user/online_ip", exchange -> {
            String name = read(exchange, StatRequest.getDefaultInstance()).getName();
            ProtobufExchange.send(exchange, WireMapping.onlineIps(name, service.onlineIps(name)));
        });
        // no early 503: backendStats() itself says "failed to get sys stats", which the panel's health check matches
        routeWithoutBackend(Methods.GET, "/stats/backend", exchange -> ProtobufExchange.send(exchange,
                WireMapping.backendStats(service.backendStats())));
        route(Methods.GET, "/stats/system", exchange -> ProtobufExchange.send(exchange,
                WireMapping.systemStats(service.systemStats())));
        route(Methods.PUT, "/user/sync", exchange -> {
            service.syncUser(WireMapping.user(read(exchange, User.getDefaultInstance())));
            ProtobufExchange.sendEmpty(exchange);
        });
        route(Methods.PUT, "/users/sync", exchange -> {
            service.syncUsers(WireMapping.users(ProtobufExchange.readUsers(exchange, limit)));
            ProtobufExchange.sendEmpty(exchange);
        });
        route(Methods.PUT, "/users/sync/chunked", exchange -> {
            UsersChunkAssembler assembler = new UsersChunkAssembler(limit);
            ChunkedUsersBody.read(RequestBody.of(exchange).stream(), limit, assembler::add);
            service.syncUsers(WireMapping.users(assembler.users()));
            ProtobufExchange.sendEmpty(exchange);
        });
        route(Methods.GET, "/routing/rules", exchange -> ProtobufExchange.send(exchange,
                WireMapping.routingRules(service.routingRules())));
        route(Methods.PUT, "/routing/rules", exchange -> {
            AddRoutingRuleRequest request = read(exchange, AddRoutingRuleRequest.getDefaultInstance());
            service.addRoutingRule(request.getRule(), request.getShouldReset());
            ProtobufExchange.sendEmpty(exchange);
        });
        route(Methods.DELETE, "/routing/rules", exchange -> {
            service.removeRoutingRule(read(exchange, RemoveRoutingRuleRequest.getDefaultInstance()).getRuleTag());
            ProtobufExchange.sendEmpty(exchange);
        });
        route(Methods.POST, "/routing/balancer", exchange -> ProtobufExchange.send(exchange, WireMapping.balancerInfo(
                service.balancerInfo(read(exchange, BalancerInfoRequest.getDefaultInstance())
                        .getTag()))));
        route(Methods.POST, "/routing/test", exchange -> ProtobufExchange.send(exchange, WireMapping.routeResult(
                service.testRoute(WireMapping.routeTest(
                        read(exchange, TestRouteRequest.getDefaultInstance()))))));
        route(Methods.PUT, "/routing/balancer/override", exchange -> {
            OverrideBalancerTargetRequest request = read(exchange, OverrideBalancerTargetRequest.getDefaultInstance());
            service.overrideBalancerTarget(request.getBalancerTag(), request.getTarget());
            ProtobufExchange.sendEmpty(exchange);
        });
        return routing
                .setFallbackHandler(exchange -> {
                    throw new NodeException(ErrorCode.NOT_FOUND, "There is no route " + exchange.getRequestPath() + ".");
                })
                .setInvalidMethodHandler(exchange -> {
                    Set<String> allowed = methodsByPath.getOrDefault(exchange.getRelativePath(), Set.of());
                    exchange.getResponseHeaders().put(Headers.ALLOW, String.join(", ", allowed));
                    throw new NodeException(ErrorCode.METHOD_NOT_ALLOWED, exchange.getRequestPath() + " does not take "
                            + exchange.getRequestMethod() + "; use " + String.join(" or ", allowed) + ".");
                });
    }

    /** The route's request body (received before it runs) as a message like {@code prototype}. */
    private <T extends Message> T read(HttpServerExchange exchange, T prototype) {
        return ProtobufExchange.read(exchange, RequestMessages.of(prototype), limit);
    }

    /** A route that needs a started backend: 503 before its body is even read when none runs. */
    private void route(HttpString method, String path, HttpHandler handler) {
        add(method, path, exchange -> {
            service.requireStarted();
            handler.handleRequest(exchange);
        });
    }

    /** A route that answers without a backend. */
    private void routeWithoutBackend(HttpString method, String path, HttpHandler handler) {
        add(method, path, handler);
    }

    private void add(HttpString method, String path, HttpHandler handler) {
        routing.add(method, path, handler);
        methodsByPath.computeIfAbsent(path, p -> new TreeSet<>()).add(method.toString());
    }
}
