package io.pgnode.host.config;

import io.pgnode.host.error.StartupException;
import io.pgnode.host.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The node's data directory (DATA_DIR): the API key, the generated certificate and key, the backends' work
 * directories. Created owner-only; files holding secrets are written owner-only (mode 600) by
 * {@link PrivateFiles}.
 */
public final class DataDirectory {


    private DataDirectory() {}

    /** Creates the directory (mode 700) unless it exists. */
    public static Path prepare(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                if (PrivateFiles.POSIX) {
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                }
            }
            return directory;
        } catch (IOException e) {
            throw new StartupException("Cannot create the data directory " + directory + " (" + Settings.DATA_DIR
                    + "): " + e.getMessage(), e);
        }
    }
}
