package io.pgnode.host.testplugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one line per call the host made into {@code journal.log} in the backend's work directory. */
final class TestingJournal {

    static final String FILE_NAME = "journal.log";

    private final Path file;

    TestingJournal(Path workDirectory) {
        this.file = workDirectory.resolve(FILE_NAME);
    }

    synchronized void record(String entry) {
        try {
            Files.writeString(file, entry + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
