package io.pgnode.plugin.xray;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads what a core printed before it gave up: the first line that says what went wrong, without the version
 * banner, the info lines before it and the Go stack dump after it (a core that panics prints its goroutines).
 * The panel shows that line to the operator as the core's own words.
 */
final class CoreOutput {

    private static final Pattern BANNER = Pattern.compile("^(Xray|V2Ray) v?\\S+ .*|^A unified platform for anti-censorship\\.$");
    /** A log line of the cores' own format below error level: {@code 2026/12/03 08:22:42 [Info] ...}. */
    private static final Pattern CHATTER = Pattern.compile(
            "^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)? \\[(Debug|Info|Warning)\\] .*");
    private static final int MAX_LENGTH = 1000;

    private CoreOutput() {}

    /**
     * The first line that names the problem, {@code panic: } taken off, or a sentence saying that the core named
     * none.
     */
    static String firstError(List<String> lines) {
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("goroutine ")) {
                break;
            }
            if (line.isEmpty() || BANNER.matcher(line).matches() || CHATTER.matcher(line).matches()
                    || line.equals("Configuration OK.")) {
                continue;
            }
            if (line.startsWith("panic: ")) {
                line = line.substring("panic: ".length());
            }
            return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "…" : line;
        }
        return "(the core printed no reason)";
    }
}
