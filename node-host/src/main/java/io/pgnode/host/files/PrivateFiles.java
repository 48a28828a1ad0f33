package io.pgnode.host.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files of the node that only its owner may read (the API key, the certificate's key, the usage ledger),
 * written so that a reader or a crash never sees half of one.
 */
public final class PrivateFiles {

    /** Whether the file system has POSIX permissions (off POSIX, files are written with the defaults). */
    public static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

    private PrivateFiles() {}

    /** Writes a file's content; called once with the stream of the file being written. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes a file that only the owner may read, atomically: a reader never sees half a key, and a crash
     * leaves either the old file or none.
     */
    public static void write(Path file, String content) throws IOException {
        write(file, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes a file that only the owner may read, atomically and durably: the content is on disk (fsync) before
     * it replaces the old file, so that a crash, even of the machine, leaves either the old file or the new one.
     */
    public static void write(Path file, Content content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (POSIX) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(temporary);
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file);
        matchOwner(file);
    }

    // the rename is durable only once the directory's entry is on disk
    private static void syncDirectory(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        if (!POSIX || directory == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            log.debug("Could not sync the directory {}: {}", directory, e.toString());
        }
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
