package io.pgnode.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The node's version as the panel sees it: the Maven project version without {@code -SNAPSHOT}. */
public final class NodeVersion {

    private static final String RESOURCE = "node-version.properties";

    private NodeVersion() {}

    public static String current() {
        Properties properties = new Properties();
        try (InputStream in = NodeVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the node's jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return plain(properties.getProperty("version", ""));
    }

    /** "1.0.0-SNAPSHOT" → "1.0.0": the panel parses the version and a suffix breaks that. */
    static String plain(String version) {
        String trimmed = version.strip();
        return trimmed.endsWith("-SNAPSHOT") ? trimmed.substring(0, trimmed.length() - "-SNAPSHOT".length()) : trimmed;
    }
}
