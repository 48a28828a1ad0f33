package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running core as the plugin records it in its work directory ({@code running-core.json}), read as an operator
 * would, with the plugin's classes nowhere on the classpath (the end-to-end tests load the plugin from its zip
 * only); and whether a recorded process still runs, from {@code /proc}.
 *
 * @param pid the core's process id
 * @param startTime its start time (field 22 of {@code /proc/<pid>/stat})
 * @param lifelinePid its lifeline's process id
 * @param lifelineStartTime the lifeline's start time
 * @param apiPort the loopback port of the core's API
 */
public record RecordedCore(long pid, long startTime, long lifelinePid, long lifelineStartTime, int apiPort) {

    /** The record in the Xray backend's work directory ({@code DATA_DIR/backends/xray}). */
    public static RecordedCore in(Path workDirectory) {
        try {
            JsonNode json = new ObjectMapper().readTree(workDirectory.resolve("running-core.json").toFile());
            return new RecordedCore(json.path("pid").asLong(), json.path("startTime").asLong(),
                    json.path("lifelinePid").asLong(), json.path("lifelineStartTime").asLong(),
                    json.path("apiPort").asInt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The core's live value of one counter ({@code user>>>alice@x>>>traffic>>>downlink}), read from its API. */
    public long counter(String name) {
        Long value = RealV2ray.counters(apiPort, name).get(name);
        if (value == null) {
            throw new AssertionError("the core has no counter " + name);
        }
        return value;
    }

    public boolean coreRuns() {
        return runs(pid, startTime);
    }

    public boolean lifelineRuns() {
        return runs(lifelinePid, lifelineStartTime);
    }

    /** The process with this PID and start time exists and has not ended (a zombie has). */
    static boolean runs(long pid, long startTime) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
            return false;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return !fields[0].equals("Z") && fields[19].equals(Long.toString(startTime));
    }

    /** SIGKILL, if it still runs: for a test's cleanup. */
    public void killWhatRuns() {
        if (coreRuns()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (lifelineRuns()) {
            ProcessHandle.of(lifelinePid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
