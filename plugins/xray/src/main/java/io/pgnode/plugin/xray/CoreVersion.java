package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A core's flavor and version, read from its version output (XRAY-API.md §9): the first line is
 * {@code Xray 26.7.28 (...)} or {@code V2Ray 4.34.0 (...)}.
 *
 * @param flavor which core it is
 * @param version the plain version, e.g. {@code 26.7.28}
 */
record CoreVersion(CoreFlavor flavor, String version) {

    private static final Pattern LINE = Pattern.compile("^(Xray|V2Ray) v?(\\S+)");
    private static final long TIMEOUT_SECONDS = 15;

    CoreVersion {
        requireNonNull(flavor, "flavor is null");
        requireNonNull(version, "version is null");
    }

    /** Finds the version line in a core's output, if there is one. */
    static Optional<CoreVersion> parse(String output) {
        for (String line : output.split("\\R")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.find()) {
                CoreFlavor flavor = m.group(1).equals("Xray") ? CoreFlavor.XRAY : CoreFlavor.V2FLY;
                return Optional.of(new CoreVersion(flavor, m.group(2)));
            }
        }
        return Optional.empty();
    }

    /**
     * Asks the executable for its version. {@code -version} first: v2fly knows only that form, and Xray
     * rewrites it to its {@code version} command. {@code version} is tried second for Xray builds that do
     * not; it is never tried first because v2fly would take it for a stray argument and start serving.
     *
     * @throws BackendException {@code FAILURE} when the executable answers neither like Xray nor like V2Ray
     */
    static CoreVersion detect(Path executable, Map<String, String> environment) {
        StringBuilder outputs = new StringBuilder();
        for (String argument : List.of("-version", "version")) {
            String output = run(executable, argument, environment);
            Optional<CoreVersion> version = parse(output);
            if (version.isPresent()) {
                return version.get();
            }
            outputs.append(outputs.length() == 0 ? "" : " / ").append(output.strip());
        }
        String said = outputs.length() > 300 ? outputs.substring(0, 300) + "…" : outputs.toString();
        throw new BackendException(BackendException.Kind.FAILURE, executable + " does not look like an Xray or V2Ray core"
                + " (its version output was: " + said + "); set XRAY_EXECUTABLE_PATH to an Xray or V2Ray executable");
    }

    private static String run(Path executable, String argument, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), argument)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot run " + executable + ": " + e.getMessage()
                    + "; set XRAY_EXECUTABLE_PATH to an Xray or V2Ray executable", e);
        }
        try (InputStream out = process.getInputStream()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            // read in a helper thread so that a core that hangs instead of printing cannot hang the start
            Thread reader = new Thread(() -> {
                try {
                    out.transferTo(buffer);
                } catch (IOException ignored) {
                    // the process was killed; what was read so far is enough
                }
            }, "xray-version-reader");
            reader.setDaemon(true);
            reader.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(2000);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while reading the core's version", e);
        }
    }
}
