package io.pgnode.host.config;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data directory (DATA_DIR): the API key, the generated certificate and key, the backends' work
 * directories. Created owner-only; files holding secrets are written owner-only (mode 600).
 */
public final class DataDirectory {

    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private DataDirectory() {}

    /** Creates the directory (mode 700) unless it exists. */
    public static Path prepare(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                if (POSIX) {
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                }
            }
            return directory;
        } catch (IOException e) {
            throw new StartupException("Cannot create the data directory " + directory + " (" + Settings.DATA_DIR
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * Writes a file that only the owner may read, atomically: a reader never sees half a key, and a crash
     * leaves either the old file or none.
     */
    public static void writePrivateFile(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (POSIX) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(temporary);
        }
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        matchOwner(file);
    }

    /**
     * Gives a file the owner and group of its directory. The service runs as its own user; root running
     * {@code pg-node cert --renew} (without {@code sudo -u}) must not leave it a key it cannot read. Nothing
     * changes when the owner already matches; a failure is only logged.
     */
    public static void matchOwner(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        if (!POSIX || directory == null) {
            return;
        }
        try {
            PosixFileAttributes expected = Files.readAttributes(directory, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            PosixFileAttributes actual = view.readAttributes();
            if (!actual.owner().equals(expected.owner())) {
                view.setOwner(expected.owner());
            }
            if (!actual.group().equals(expected.group())) {
                view.setGroup(expected.group());
            }
        } catch (IOException e) {
            log.warn("{} could not be given the owner of {}: {}", file, directory, e.toString());
        }
    }
}
