package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node leaves in the backend's work directory while an interface of its own exists
 * ({@code interface-IFACE.json}): the interface, how it runs, and the wireguard-go process that holds it. The
 * node deletes the file when it removes the interface; a file that is there at Start was left by a node that did
 * not get to (a crash, a kill), so the interface and process it names are the node's own leftovers, cleaned up
 * then.
 *
 * @param iface the interface name
 * @param mode {@code userspace} or {@code kernel}
 * @param pid the wireguard-go process; 0 in kernel mode
 * @param pidStartMillis when that process started (epoch milliseconds), so that a reused pid is never taken for it
 * @param listenPort the interface's UDP port
 */
record InterfaceRecord(String iface, WireguardSettings.Mode mode, long pid, long pidStartMillis, int listenPort) {

    private static final Logger log = LoggerFactory.getLogger(InterfaceRecord.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "interface-";
    private static final String SUFFIX = ".json";

    InterfaceRecord {
        requireNonNull(iface, "iface is null");
        requireNonNull(mode, "mode is null");
    }

    static Path file(Path workDirectory, String iface) {
        return workDirectory.resolve(PREFIX + iface + SUFFIX);
    }

    /** Writes the record atomically (a crash never leaves half a file). */
    void write(Path workDirectory) {
        ObjectNode node = JSON.createObjectNode()
                .put("interface", iface)
                .put("mode", mode.name().toLowerCase(Locale.ROOT))
                .put("pid", pid)
                .put("pid_start_millis", pidStartMillis)
                .put("listen_port", listenPort);
        try {
            Path temp = Files.createTempFile(workDirectory, PREFIX, ".tmp");
            JSON.writeValue(temp.toFile(), node);
            Files.move(temp, file(workDirectory, iface), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(workDirectory, iface), e);
        }
    }

    void delete(Path workDirectory) {
        try {
            Files.deleteIfExists(file(workDirectory, iface));
        } catch (IOException e) {
            log.warn("could not delete {}: {}", file(workDirectory, iface), e.getMessage());
        }
    }

    /** Every record file in the work directory, readable or not. */
    static List<Path> files(Path workDirectory) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(workDirectory, PREFIX + "*" + SUFFIX)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + workDirectory, e);
        }
        return files;
    }

    /** Every readable record in the work directory; unreadable ones are logged and skipped. */
    static List<InterfaceRecord> all(Path workDirectory) {
        List<InterfaceRecord> records = new ArrayList<>();
        for (Path file : files(workDirectory)) {
            read(file).ifPresent(records::add);
        }
        return records;
    }

    static Optional<InterfaceRecord> read(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return Optional.of(new InterfaceRecord(node.path("interface").asText(),
                    WireguardSettings.Mode.valueOf(node.path("mode").asText().toUpperCase(Locale.ROOT)),
                    node.path("pid").asLong(), node.path("pid_start_millis").asLong(),
                    node.path("listen_port").asInt()));
        } catch (IOException | IllegalArgumentException e) {
            log.warn("ignoring the unreadable interface record {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** The recorded wireguard-go process, if it still runs (the same process: same start time, same program). */
    Optional<ProcessHandle> liveDaemon() {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(s -> s.toEpochMilli() == pidStartMillis).orElse(false))
                .filter(p -> p.info().command().map(c -> c.endsWith("wireguard-go")).orElse(false));
    }
}
