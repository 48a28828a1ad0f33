package io.pgnode.spi;

import java.util.List;

/**
 * Optional: control over a running core's routing (the panel's routing page). The rules are the backend's
 * state: those of the panel's config plus those added at runtime, in order. A rule added at runtime lasts as
 * long as the backend (it survives every restart of the core the backend makes itself) and is gone with Stop
 * or a Start with another config.
 *
 * <p>{@link #rules()}, {@link #addRule} and {@link #removeRule} are the core of the ability; the other three
 * are the core's own answers and default to "not supported" (HTTP 501), for cores that cannot give them.
 */
public interface Routing {

    /** Every rule, in the order the core applies them. */
    List<RoutingRule> rules();

    /**
     * Adds one rule, given as the JSON of one element of the config's {@code routing.rules}.
     *
     * @param ruleJson the rule's JSON
     * @param replaceAll true: the rule replaces every rule; false: it goes after the existing ones
     * @throws BackendException {@code INVALID_REQUEST} for a rule that cannot be applied (not JSON, an unknown
     *     field value, a rule tag that is taken, an outbound or balancer the config lacks), naming the problem;
     *     nothing changes then
     */
    void addRule(String ruleJson, boolean replaceAll);

    /**
     * Removes the rule with this tag. A tag no rule has is not an error (a retried remove must not fail).
     *
     * @throws BackendException {@code INVALID_REQUEST} for an empty tag
     */
    void removeRule(String ruleTag);

    /** The balancer's targets as the core chose them. Optional. */
    default BalancerInfo balancerInfo(String balancerTag) {
        throw BackendException.unsupported("balancer information");
    }

    /** Makes the balancer use {@code target} (empty: the balancer chooses again). Optional. */
    default void overrideBalancerTarget(String balancerTag, String target) {
        throw BackendException.unsupported("overriding a balancer's target");
    }

    /** Where the core would route a connection like this one. Optional. */
    default RouteResult testRoute(RouteTest test) {
        throw BackendException.unsupported("testing a route");
    }
}
