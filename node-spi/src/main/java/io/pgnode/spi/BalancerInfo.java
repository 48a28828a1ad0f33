package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A balancer's choice, as the core reports it.
 *
 * @param overrideTarget the target set by {@link Routing#overrideBalancerTarget}; empty when none is set
 * @param principleTargets the targets the balancer's strategy picks, best first
 */
public record BalancerInfo(String overrideTarget, List<String> principleTargets) {

    public BalancerInfo {
        requireNonNull(overrideTarget, "overrideTarget is null");
        principleTargets = List.copyOf(principleTargets);
    }
}
