package io.pgnode.bench;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One line of the report: a figure measured through the node and straight at the core, and whether it meets
 * its target.
 *
 * @param figure e.g. "P1 one-user sync (REST)"
 * @param node what the node took or used, formatted with its unit
 * @param coreDirect what the core alone took or used, formatted; "—" where there is no counterpart
 * @param ratio node / core-direct, formatted; "—" where the target is absolute
 * @param target the target as text, e.g. "≤ 1.20×"
 * @param pass whether the target is met
 * @param samples the per-run values behind the medians, for the record
 */
record Row(String figure, String node, String coreDirect, String ratio, String target, boolean pass, String samples) {

    Row {
        requireNonNull(figure, "figure is null");
        requireNonNull(node, "node is null");
        requireNonNull(coreDirect, "coreDirect is null");
        requireNonNull(ratio, "ratio is null");
        requireNonNull(target, "target is null");
        requireNonNull(samples, "samples is null");
    }

    /** A figure whose target is a bound on node / core-direct. */
    static Row ratio(String figure, Samples node, Samples coreDirect, String unit, double maxRatio) {
        double ratio = node.median() / coreDirect.median();
        return new Row(figure, format(node.median(), unit), format(coreDirect.median(), unit),
                String.format(Locale.ROOT, "%.2f×", ratio), String.format(Locale.ROOT, "≤ %.2f×", maxRatio),
                ratio <= maxRatio, "node " + rounded(node) + " / core " + rounded(coreDirect));
    }

    /** A figure whose target is an absolute bound on the node's value; the core's value is shown beside it. */
    static Row bound(String figure, Samples node, String coreDirect, String unit, double max) {
        return new Row(figure, format(node.median(), unit), coreDirect, "—", "≤ " + format(max, unit),
                node.median() <= max, "node " + rounded(node));
    }

    /** A figure shown for context, with no target of its own. */
    static Row info(String figure, Samples node, Samples coreDirect, String unit) {
        return new Row(figure, format(node.median(), unit), format(coreDirect.median(), unit),
                String.format(Locale.ROOT, "%.2f×", node.median() / coreDirect.median()), "—", true,
                "node " + rounded(node) + " / core " + rounded(coreDirect));
    }

    static String format(double value, String unit) {
        String number = value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return number + " " + unit;
    }

    private static String rounded(Samples samples) {
        return samples.toString().replaceAll("(\\.\\d{2})\\d+", "$1");
    }
}
