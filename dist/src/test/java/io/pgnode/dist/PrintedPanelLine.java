package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line the node prints for the operator, read back as an operator reads it:
 * {@code panel: address A, gRPC port P, REST port Q, API key K[ (in FILE)], certificate PEM}.
 *
 * @param address what to enter as the node's address
 * @param grpcPort the gRPC port
 * @param restPort the REST port
 * @param apiKey the key in full (first run) or masked (later runs)
 * @param certificate the PEM file to give the panel
 */
record PrintedPanelLine(String address, int grpcPort, int restPort, String apiKey, Path certificate) {

    static final Pattern PATTERN = Pattern.compile(
            "panel: address (\\S+), gRPC port (\\d+), REST port (\\d+), API key (\\S+)(?: \\([^)]*\\))?, certificate (.+)");

    static PrintedPanelLine parse(String line) {
        Matcher matcher = PATTERN.matcher(line);
        assertThat(matcher.matches()).as("the panel line: %s", line).isTrue();
        return new PrintedPanelLine(matcher.group(1), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3)), matcher.group(4), Path.of(matcher.group(5)));
    }

    /** {@code host:port} for a URI: an IPv6 address in brackets. */
    String authority(int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
