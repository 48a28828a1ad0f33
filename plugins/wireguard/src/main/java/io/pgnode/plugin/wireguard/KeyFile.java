package io.pgnode.plugin.wireguard;

import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A key in a file only its owner can read, for the one {@code wg} run that reads it: created with mode 600 (never
 * readable by others, not even for a moment), deleted when closed. Keys never go on a command line, where every
 * user of the machine could read them.
 */
final class KeyFile implements AutoCloseable {

    private final Path path;

    private KeyFile(Path path) {
        this.path = path;
    }

    /** Writes the key to a new file in {@code directory}. */
    static KeyFile write(Path directory, WireguardKey key) {
        Path path = null;
        try {
            path = Files.createTempFile(directory, ".key-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(path, key.base64() + "\n", StandardCharsets.US_ASCII);
            return new KeyFile(path);
        } catch (IOException | UnsupportedOperationException e) {
            deleteQuietly(path);
            throw new BackendException(BackendException.Kind.FAILURE, "cannot write a key file in " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        deleteQuietly(path);
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // the work directory is the node's own and owner-only
            }
        }
    }
}
