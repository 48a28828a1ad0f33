package io.pgnode.host.config;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file the way the upstream node's operators write them: {@code KEY=value} lines, an
 * optional {@code export } prefix, {@code #} comments, values optionally in single or double quotes.
 */
final class DotEnvFile {

    private static final Pattern LINE =
            Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)$");

    private DotEnvFile() {}

    /** The file's entries in file order; a later line for the same key wins. */
    static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new StartupException(
                        file + " line " + (i + 1) + " is not a KEY=VALUE line: " + abbreviate(line));
            }
            entries.put(matcher.group(1), value(matcher.group(2), file, i + 1));
        }
        return entries;
    }

    private static String value(String raw, Path file, int lineNumber) {
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            char quote = raw.charAt(0);
            int end = raw.indexOf(quote, 1);
            if (end < 0) {
                throw new StartupException(file + " line " + lineNumber + " has an unterminated " + quote + " quote");
            }
            return raw.substring(1, end);
        }
        // an unquoted value ends where a " #" comment starts
        int comment = raw.indexOf(" #");
        return (comment >= 0 ? raw.substring(0, comment) : raw).strip();
    }

    // The line may hold a secret; show only its start.
    private static String abbreviate(String line) {
        return line.length() <= 12 ? line : line.substring(0, 12) + "...";
    }
}
