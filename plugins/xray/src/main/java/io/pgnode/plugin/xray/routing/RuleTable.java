package io.pgnode.plugin.xray.routing;

import java.util.List;

/**
 * The routing rules the node holds for the running backend, in the order the core applies them: the panel config's
 * rules, then those added at runtime. Every config the node renders takes its rules from here, so a rule added at
 * runtime outlives every restart of the core; it goes with the backend (Stop, a Start with another config). Only
 * {@link RoutingControl} changes it, under the backend's lock; readers get an immutable snapshot.
 */
public final class RuleTable {

    private volatile List<RuleDefinition> rules;

    /** @param panelRules the rules of the panel's config, in order */
    public RuleTable(List<RuleDefinition> panelRules) {
        this.rules = List.copyOf(panelRules);
    }

    /** Every rule, in order. */
    public List<RuleDefinition> rules() {
        return rules;
    }

    void replace(List<RuleDefinition> next) {
        rules = List.copyOf(next);
    }
}
