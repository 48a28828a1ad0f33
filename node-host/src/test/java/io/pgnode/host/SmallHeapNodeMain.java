package io.pgnode.host;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a {@link TestingNode} in a JVM of its own (see {@link SmallHeapNodeTest}): prints one line
 * {@code READY <restPort> <grpcPort> <apiKey> <certificateFile>}, serves until its stdin ends, then stops.
 *
 * <p>Arguments: the plugins directory.
 */
public final class SmallHeapNodeMain {

    private SmallHeapNodeMain() {}

    public static void main(String[] args) throws IOException {
        try (TestingNode node = TestingNode.builder().pluginsDir(Path.of(args[0])).start()) {
            System.out.println("READY " + node.restPort() + " " + node.grpcPort() + " " + node.apiKey() + " "
                    + node.certificateFile());
            System.out.flush();
            while (System.in.read() != -1) {
                // serve until the test closes our stdin
            }
        }
    }
}
