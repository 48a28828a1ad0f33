package io.pgnode.plugin.xray.lifeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the work directory remembers about the core that runs: enough for the next start of the node to find a
 * core the previous one could not end (its lifeline was stopped or killed along with it), to read its counters
 * through its API and to end it, without ever touching a process that merely reuses its PID. Written when a core
 * has started, removed when the node stopped it; a file that is still there at start names a core left behind.
 *
 * @param core the core process
 * @param lifeline its {@link CoreLifeline}'s sidecar, when it has one
 * @param executable the core's executable, as started
 * @param apiPort the loopback port of its API
 * @param nodeInboundTags the tags of the node's own inbounds in its config (API, latency probes): their counters are
 *     not the panel's
 * @param flavor the core's flavor, by name ({@code XRAY} or {@code V2FLY})
 */
public record CoreRecord(ProcessIdentity core, Optional<ProcessIdentity> lifeline, String executable, int apiPort,
        Set<String> nodeInboundTags, String flavor) {

    /** The record's file in the work directory. */
    public static final String FILE = "running-core.json";

    private static final Logger log = LoggerFactory.getLogger(CoreRecord.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public CoreRecord {
        requireNonNull(core, "core is null");
        requireNonNull(lifeline, "lifeline is null");
        requireNonNull(executable, "executable is null");
        nodeInboundTags = Set.copyOf(nodeInboundTags);
        requireNonNull(flavor, "flavor is null");
    }

    /** Writes the record into the directory, replacing the one there, atomically: a reader sees all or nothing. */
    public void writeTo(Path directory) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("pid", core.pid()).put("startTime", core.startTime());
        lifeline.ifPresent(l -> json.put("lifelinePid", l.pid()).put("lifelineStartTime", l.startTime()));
        json.put("executable", executable).put("apiPort", apiPort).put("flavor", flavor);
        nodeInboundTags.stream().sorted().forEach(json.putArray("nodeInboundTags")::add);
        Path temp = Files.createTempFile(directory, FILE, ".tmp");
        try {
            JSON.writeValue(temp.toFile(), json);
            try {
                Files.move(temp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The record in the directory, if there is one; a file that cannot be read is logged and dropped. */
    public static Optional<CoreRecord> readFrom(Path directory) {
        Path file = directory.resolve(FILE);
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("ignoring the unreadable record of an earlier core {}: {}", file, e.getMessage());
            delete(file);
            return Optional.empty();
        }
        if (json == null || !json.path("pid").canConvertToLong() || !json.path("startTime").canConvertToLong()) {
            if (Files.exists(file)) {
                log.warn("ignoring the record of an earlier core {}: it names no process", file);
                delete(file);
            }
            return Optional.empty();
        }
        Optional<ProcessIdentity> lifeline = json.has("lifelinePid")
                ? Optional.of(new ProcessIdentity(json.path("lifelinePid").asLong(), json.path("lifelineStartTime").asLong()))
                : Optional.empty();
        return Optional.of(new CoreRecord(new ProcessIdentity(json.path("pid").asLong(), json.path("startTime").asLong()),
                lifeline, json.path("executable").asText(""), json.path("apiPort").asInt(0),
                nodeInboundTags(json), json.path("flavor").asText("")));
    }

    /** The record's own inbound tags; a record of an earlier release named only its API inbound. */
    private static Set<String> nodeInboundTags(JsonNode json) {
        Set<String> tags = new HashSet<>();
        json.path("nodeInboundTags").forEach(tag -> tags.add(tag.asText()));
        if (tags.isEmpty()) {
            tags.add(json.path("apiInboundTag").asText("api"));
        }
        return tags;
    }

    /** Removes the directory's record if it is this one (a newer core's record stays). */
    public void removeFrom(Path directory) {
        Optional<CoreRecord> there = readFrom(directory);
        if (there.isPresent() && there.get().core().equals(core)) {
            delete(directory.resolve(FILE));
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not remove {}: {}", file, e.getMessage());
        }
    }
}
