package io.pgnode.host.wire;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.service.NodeInfo;
import io.pgnode.host.service.StartRequest;
import io.pgnode.host.service.SystemSnapshot;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BalancerInfoResponse;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Latency;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.OnlineStatResponse;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.RoutingRulesResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatsOnlineIpListResponse;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.TestRouteRequest;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.RoutingRule;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.TreeMap;

/**
 * Between the wire messages and the node's own values, for both transports: the only place that knows both,
 * so that {@link io.pgnode.host.service.NodeService} never sees a protobuf type.
 */
public final class WireMapping {

    private WireMapping() {}

    /** A Start request as the node takes it; its users are mapped as the backend reads them (see {@link #users}). */
    public static StartRequest startRequest(io.pgnode.proto.Backend request) {
        return new StartRequest(request.getTypeValue(), request.getConfig(), users(request.getUsersList()),
                request.getKeepAlive(), Set.copyOf(request.getExcludeInboundsList()));
    }

    /** A user for the backend; every user needs an email (it names the user's counters). */
    public static User user(io.pgnode.proto.User user) {
        return user(user, "The user");
    }

    /**
     * The request's users for the backend, checked now (every user needs an email) and mapped as the backend
     * reads them: a list view over the request, so that 100,000 users are not held a second time while the
     * backend works through them. Immutable; each read maps anew.
     */
    public static List<User> users(List<io.pgnode.proto.User> users) {
        for (int i = 0; i < users.size(); i++) {
            if (users.get(i).getEmail().isBlank()) {
                throw missingEmail("User number " + (i + 1) + " of " + users.size());
            }
        }
        return new MappedUsers(users);
    }

    /**
     * A full sync's users for the backend, read from the message's bytes as the backend goes through them (see
     * {@link EncodedUsers}): checked now as {@link #users(List)} checks them.
     */
    public static List<User> users(EncodedUsers users) {
        int without = users.firstWithoutEmail();
        if (without >= 0) {
            throw missingEmail("User number " + (without + 1) + " of " + users.size());
        }
        return new MappedUsers(users);
    }

    private static final class MappedUsers extends AbstractList<User> implements RandomAccess {
        private final List<io.pgnode.proto.User> users;

        MappedUsers(List<io.pgnode.proto.User> users) {
            this.users = users;
        }

        @Override
        public User get(int index) {
            return user(users.get(index));
        }

        @Override
        public int size() {
            return users.size();
        }
    }

    private static User user(io.pgnode.proto.User user, String who) {
        if (user.getEmail().isBlank()) {
            throw missingEmail(who);
        }
        return new User(user.getEmail(), proxies(user.getProxies()), user.getInboundsList());
    }

    private static NodeException missingEmail(String who) {
        return new NodeException(ErrorCode.MISSING_EMAIL, who + " has no email; every user needs one.");
    }

    static Proxies proxies(Proxy proxy) {
        return new Proxies(
                proxy.hasVmess() ? new Proxies.Vmess(proxy.getVmess().getId()) : null,
                proxy.hasVless() ? new Proxies.Vless(proxy.getVless().getId(), proxy.getVless().getFlow()) : null,
                proxy.hasTrojan() ? new Proxies.Trojan(proxy.getTrojan().getPassword()) : null,
                proxy.hasShadowsocks()
                        ? new Proxies.Shadowsocks(proxy.getShadowsocks().getPassword(), proxy.getShadowsocks().getMethod())
                        : null,
                proxy.hasWireguard()
                        ? new Proxies.Wireguard(proxy.getWireguard().getPublicKey(), proxy.getWireguard().getPeerIpsList())
                        : null,
                proxy.hasHysteria() ? new Proxies.Hysteria(proxy.getHysteria().getAuth()) : null);
    }

    public static StatQuery statQuery(StatRequest request) {
        StatQuery.Scope scope = switch (request.getType()) {
            case Outbounds -> StatQuery.Scope.OUTBOUNDS;
            case Outbound -> StatQuery.Scope.OUTBOUND;
            case Inbounds -> StatQuery.Scope.INBOUNDS;
            case Inbound -> StatQuery.Scope.INBOUND;
            case UsersStat -> StatQuery.Scope.USERS;
            case UserStat -> StatQuery.Scope.USER;
            case UNRECOGNIZED -> throw new NodeException(ErrorCode.INVALID_STAT_REQUEST,
                    "Stat type " + request.getTypeValue() + " is unknown; use 0 to 5 (Outbounds to UserStat).");
        };
        if (scope.isSingle() && request.getName().isBlank()) {
            throw new NodeException(ErrorCode.INVALID_STAT_REQUEST,
                    "A " + request.getType() + " request needs the name of the " + target(scope) + ".");
        }
        return new StatQuery(scope, request.getName(), request.getReset());
    }

    static io.pgnode.proto.Stat stat(Stat stat) {
        return io.pgnode.proto.Stat.newBuilder()
                .setName(stat.name())
                .setType(stat.type())
                .setLink(stat.link())
                .setValue(stat.value())
                .build();
    }

    public static BaseInfoResponse baseInfo(NodeInfo info) {
        BaseInfoResponse.Builder answer = BaseInfoResponse.newBuilder().setNodeVersion(info.nodeVersion());
        if (info.coreType() != null) {
            answer.setStarted(info.started()).setCoreVersion(info.coreVersion()).setCoreType(info.coreType());
        }
        return answer.build();
    }

    public static LatencyResponse latencyResponse(List<OutboundLatency> latencies) {
        LatencyResponse.Builder response = LatencyResponse.newBuilder();
        for (OutboundLatency latency : latencies) {
            response.addLatencies(Latency.newBuilder()
                    .setName(latency.name())
                    .setAlive(latency.alive())
                    .setDelay(latency.delayMillis())
                    .setLink(latency.link())
                    .setLastSeenTime(latency.lastSeenTime())
                    .setLastTryTime(latency.lastTryTime())
                    .setSource(latency.source()));
        }
        return response.build();
    }

    public static OnlineStatResponse onlineStat(String name, long value) {
        return OnlineStatResponse.newBuilder().setName(name).setValue(value).build();
    }

    public static StatsOnlineIpListResponse onlineIps(String name, Map<String, Long> ips) {
        return StatsOnlineIpListResponse.newBuilder().setName(name).putAllIps(new TreeMap<>(ips)).build();
    }

    public static BackendStatsResponse backendStats(RuntimeStats stats) {
        return BackendStatsResponse.newBuilder()
                .setNumGoroutine(stats.goroutines())
                .setNumGc(stats.gcCycles())
                .setAlloc(stats.allocBytes())
                .setTotalAlloc(stats.totalAllocBytes())
                .setSys(stats.sysBytes())
                .setMallocs(stats.mallocs())
                .setFrees(stats.frees())
                .setLiveObjects(stats.liveObjects())
                .setPauseTotalNs(stats.pauseTotalNanos())
                .setUptime(stats.uptimeSeconds())
                .build();
    }

    public static SystemStatsResponse systemStats(SystemSnapshot snapshot) {
        return SystemStatsResponse.newBuilder()
                .setMemTotal(snapshot.memTotal())
                .setMemUsed(snapshot.memUsed())
                .setCpuCores(snapshot.cpuCores())
                .setCpuUsage(snapshot.cpuUsage())
                .setIncomingBandwidthSpeed(snapshot.incomingBytesPerSecond())
                .setOutgoingBandwidthSpeed(snapshot.outgoingBytesPerSecond())
                .setUptime(snapshot.uptimeSeconds())
                .build();
    }

    public static RoutingRulesResponse routingRules(List<RoutingRule> rules) {
        RoutingRulesResponse.Builder response = RoutingRulesResponse.newBuilder();
        for (RoutingRule rule : rules) {
            response.addRules(io.pgnode.proto.RoutingRule.newBuilder()
                    .setOutboundTag(rule.outboundTag())
                    .setRuleTag(rule.ruleTag()));
        }
        return response.build();
    }

    public static BalancerInfoResponse balancerInfo(BalancerInfo info) {
        return BalancerInfoResponse.newBuilder()
                .setOverrideTarget(info.overrideTarget())
                .addAllPrincipleTarget(info.principleTargets())
                .build();
    }

    /** A route test as the backend takes it; a port beyond 65535 (uint32 on the wire) cannot be a connection's. */
    public static RouteTest routeTest(TestRouteRequest request) {
        long port = Integer.toUnsignedLong(request.getTargetPort());
        if (port > 65_535) {
            throw new NodeException(ErrorCode.INVALID_REQUEST,
                    "target_port " + port + " is not a port; give 1 to 65535, or 0 for none.");
        }
        return new RouteTest(request.getInboundTag(), request.getNetwork(), request.getTargetIp(),
                request.getTargetDomain(), (int) port, request.getProtocol(), request.getUser(),
                request.getAttributesMap(), request.getFieldSelectorsList(), request.getPublishResult());
    }

    public static io.pgnode.proto.RouteResult routeResult(RouteResult result) {
        return io.pgnode.proto.RouteResult.newBuilder()
                .setOutboundTag(result.outboundTag())
                .addAllOutboundGroupTags(result.outboundGroupTags())
                .setInboundTag(result.inboundTag())
                .setNetwork(result.network())
                .setTargetDomain(result.targetDomain())
                .build();
    }

    private static String target(StatQuery.Scope scope) {
        return switch (scope) {
            case OUTBOUND -> "outbound";
            case INBOUND -> "inbound";
            default -> "user";
        };
    }
}
