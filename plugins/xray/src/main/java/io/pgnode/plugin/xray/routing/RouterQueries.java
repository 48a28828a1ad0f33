package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.pgnode.plugin.xray.api.GetBalancerInfoResponse;
import io.pgnode.plugin.xray.api.RoutingContext;
import io.pgnode.plugin.xray.api.TestRouteRequest;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The questions and the one change that only an Xray core's RoutingService answers: route tests, balancer
 * information and balancer overrides. Overrides are remembered, because the core forgets them whenever it restarts
 * or rebuilds its balancers, and sent again then.
 */
final class RouterQueries {

    private static final Map<String, Integer> NETWORKS = Map.of("tcp", 2, "udp", 3);
    private static final Map<Integer, String> NETWORK_NAMES = Map.of(2, "tcp", 3, "udp", 4, "unix");

    private final Set<String> balancerTags;
    private final Set<String> outboundTags;
    private final String firstOutbound;
    private final Map<String, String> overrides = new ConcurrentHashMap<>();

    /**
     * @param firstOutbound the config's first outbound, where a core sends what no rule matches (empty: none)
     */
    RouterQueries(Set<String> balancerTags, Set<String> outboundTags, String firstOutbound) {
        this.balancerTags = Set.copyOf(balancerTags);
        this.outboundTags = Set.copyOf(outboundTags);
        this.firstOutbound = requireNonNull(firstOutbound, "firstOutbound is null");
    }

    BalancerInfo balancerInfo(RoutingServiceClient router, String balancerTag) {
        requireBalancer(balancerTag);
        GetBalancerInfoResponse answer = router.balancerInfo(balancerTag);
        return new BalancerInfo(answer.getBalancer().getOverride().getTarget(),
                answer.getBalancer().getPrincipleTarget().getTagList());
    }

    void overrideBalancerTarget(RoutingServiceClient router, String balancerTag, String target) {
        requireBalancer(balancerTag);
        if (!target.isEmpty() && !outboundTags.contains(target)) {
            throw RuleReader.invalid("the config has no outbound \"" + target + "\" to make balancer \"" + balancerTag
                    + "\" use (it has " + new TreeSet<>(outboundTags) + ")");
        }
        router.overrideBalancerTarget(balancerTag, target);
        if (target.isEmpty()) {
            overrides.remove(balancerTag);
        } else {
            overrides.put(balancerTag, target);
        }
    }

    /** The overrides set so far, balancer → target, to send again to a core that forgot them. */
    Map<String, String> overrides() {
        return Map.copyOf(overrides);
    }

    RouteResult testRoute(RoutingServiceClient router, RouteTest test) {
        TestRouteRequest request = TestRouteRequest.newBuilder()
                .setRoutingContext(context(test))
                .addAllFieldSelectors(test.fieldSelectors())
                .setPublishResult(test.publishResult())
                .build();
        RoutingContext routed;
        try {
            routed = router.testRoute(request);
        } catch (RoutingServiceClient.CoreRefusal e) {
            // the router's "no clue": no rule matched, and the core's dispatcher takes its first outbound
            if (e.refusedByCore() && e.coreWords().contains("not enough information")) {
                throw new BackendException(BackendException.Kind.NOT_FOUND, "no routing rule matches this connection ("
                        + e.coreWords() + "); the core sends such connections to its first outbound"
                        + (firstOutbound.isEmpty() ? "" : ", \"" + firstOutbound + "\""), e);
            }
            throw e;
        }
        return new RouteResult(routed.getOutboundTag(), routed.getOutboundGroupTagsList(), routed.getInboundTag(),
                NETWORK_NAMES.getOrDefault(routed.getNetwork(), ""), routed.getTargetDomain());
    }

    private static RoutingContext context(RouteTest test) {
        RoutingContext.Builder context = RoutingContext.newBuilder()
                .setInboundTag(test.inboundTag())
                .setTargetDomain(test.targetDomain())
                .setTargetPort(test.targetPort())
                .setProtocol(test.protocol())
                .setUser(test.user())
                .putAllAttributes(test.attributes());
        if (!test.network().isEmpty()) {
            Integer network = NETWORKS.get(test.network().toLowerCase(Locale.ROOT));
            if (network == null) {
                throw RuleReader.invalid("network must be tcp or udp, not \"" + test.network() + "\"");
            }
            context.setNetwork(network);
        }
        if (!test.targetIp().isEmpty()) {
            byte[] address = RuleFields.address(test.targetIp()).orElseThrow(() -> RuleReader.invalid(
                    "target_ip \"" + test.targetIp() + "\" is not an IP address"));
            context.addTargetIps(ByteString.copyFrom(address));
        }
        return context.build();
    }

    private void requireBalancer(String balancerTag) {
        if (balancerTag.isEmpty()) {
            throw RuleReader.invalid("name the balancer: its tag is empty");
        }
        if (!balancerTags.contains(balancerTag)) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "the config has no balancer \"" + balancerTag
                    + "\"" + (balancerTags.isEmpty() ? "" : " (it has " + new TreeSet<>(balancerTags) + ")"));
        }
    }
}
