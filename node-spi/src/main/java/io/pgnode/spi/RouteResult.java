package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Where the router sent a tested connection.
 *
 * @param outboundTag the outbound chosen
 * @param outboundGroupTags the balancers (groups) the choice went through
 * @param inboundTag the inbound as the router saw it
 * @param network the network as the router saw it
 * @param targetDomain the domain as the router saw it
 */
public record RouteResult(String outboundTag, List<String> outboundGroupTags, String inboundTag, String network,
        String targetDomain) {

    public RouteResult {
        requireNonNull(outboundTag, "outboundTag is null");
        outboundGroupTags = List.copyOf(outboundGroupTags);
        requireNonNull(inboundTag, "inboundTag is null");
        requireNonNull(network, "network is null");
        requireNonNull(targetDomain, "targetDomain is null");
    }
}
