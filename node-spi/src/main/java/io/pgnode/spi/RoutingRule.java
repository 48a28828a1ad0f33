package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

/**
 * One routing rule as the panel lists it.
 *
 * @param outboundTag the outbound the rule sends to, or its balancer's tag
 * @param ruleTag the rule's own tag; empty when it has none
 */
public record RoutingRule(String outboundTag, String ruleTag) {

    public RoutingRule {
        requireNonNull(outboundTag, "outboundTag is null");
        requireNonNull(ruleTag, "ruleTag is null");
    }
}
