package io.pgnode.plugin.xray.routing;

import java.util.Arrays;

/**
 * Which layout of Xray's router config a release reads (its app/router/config.proto): the number of a rule's tag,
 * and whether domains and addresses are the values themselves or rules that name geo files.
 *
 * @param ruleTagField 18 up to 25.8.x, 19 from 25.8.29 on
 * @param geodata from 26.4.13 on: a rule's domains and IPs may name geosite/geoip lists, which the core loads
 */
public record RouterDialect(int ruleTagField, boolean geodata) {

    private static final int[] RULE_TAG_19 = {25, 8, 29};
    private static final int[] GEODATA = {26, 4, 13};

    /** The dialect of an Xray release, e.g. {@code "26.7.28"} or {@code "1.8.24"}. */
    public static RouterDialect ofXray(String version) {
        int[] release = numbers(version);
        return new RouterDialect(compare(release, RULE_TAG_19) >= 0 ? 19 : 18, compare(release, GEODATA) >= 0);
    }

    /** The release's numbers: {@code "26.7.28"} is 26, 7, 28; text after the numbers is ignored. */
    private static int[] numbers(String version) {
        String[] parts = version.split("\\.");
        int[] numbers = new int[3];
        for (int i = 0; i < Math.min(parts.length, 3); i++) {
            String digits = parts[i].replaceAll("\\D.*", "");
            numbers[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits.length() > 9 ? digits.substring(0, 9) : digits);
        }
        return numbers;
    }

    private static int compare(int[] release, int[] other) {
        return Arrays.compare(release, other);
    }
}
