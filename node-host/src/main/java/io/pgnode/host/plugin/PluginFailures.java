package io.pgnode.host.plugin;

import java.util.LinkedHashSet;
import java.util.Set;

/** Turns a plugin's failure into one line for the operator: each cause once, outermost first. */
final class PluginFailures {

    private PluginFailures() {}

    static String describe(Throwable failure) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable t = failure; t != null && parts.size() < 5; t = t.getCause()) {
            String message = t.getMessage();
            parts.add(t.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip()));
        }
        return String.join(" <- ", parts);
    }
}
