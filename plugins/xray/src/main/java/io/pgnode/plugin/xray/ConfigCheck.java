package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.User;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a config with the core's own test mode ({@code v2ray -test -config stdin:}, {@code xray run -test -c
 * stdin:}) before the running core is stopped for it: the core loads the config as it would to serve it, but binds
 * no port, so the running core's ports are no obstacle.
 *
 * <p>The config is rendered with one user per managed inbound, not with all of them: a test loads every user as a
 * start does, and 100,000 users cost the test what they cost a start (~40 s and ~3.7 GiB on v2ray 4.34), while the
 * running core still holds its own. One user per inbound proves the inbound's settings with the fields the node
 * writes for users (and gives v2fly's single-user Shadowsocks inbound its user).
 */
final class ConfigCheck {

    private static final Logger log = LoggerFactory.getLogger(ConfigCheck.class);

    /** The test with a handful of users takes a few milliseconds; geo files may add a second. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private ConfigCheck() {}

    /**
     * One valid user per managed inbound, from the users the backend starts with: resolved until every inbound
     * has one, so that 100,000 users in the same inbounds cost one resolution.
     */
    static List<UserEntry> sampleUsers(PanelConfig config, List<User> users, CoreFlavor flavor) {
        Set<String> uncovered = new HashSet<>(config.managedInbounds().keySet());
        List<UserEntry> sample = new ArrayList<>();
        for (User user : users) {
            if (uncovered.isEmpty()) {
                break;
            }
            if (Collections.disjoint(user.inbounds(), uncovered)) {
                continue;
            }
            config.resolveEach(List.of(user), flavor, entry -> {
                if (entry.inboundCount() > 0) {
                    sample.add(entry);
                    uncovered.removeAll(entry.accounts().keySet());
                }
            });
        }
        return sample;
    }

    /**
     * Runs the core's test mode on the rendered config.
     *
     * @throws BackendException {@code INVALID_CONFIG} with the core's first error line when it rejects the config,
     *     {@code FAILURE} when the test cannot run or does not end in time
     */
    static void run(Path executable, CoreFlavor flavor, Map<String, String> environment, Path workDirectory,
            CoreProcess.ConfigWriter config) {
        requireNonNull(config, "config is null");
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(flavor.testArguments());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        long began = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot run the core's config test ("
                    + executable + "): " + e.getMessage() + "; check " + XraySettings.EXECUTABLE, e);
        }
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> readLines(process, output), "xray-config-test");
        reader.setDaemon(true);
        reader.start();
        try {
            try (OutputStream stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16)) {
                config.writeTo(stdin);
            } catch (IOException e) {
                log.debug("the core's config test closed its stdin early: {}", e.toString());
            }
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BackendException(BackendException.Kind.FAILURE, "the core's config test (" + String.join(" ",
                        command) + ") did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while the core tested the config", e);
        }
        int code = process.exitValue();
        log.info("the core's config test ({}) exited with code {} in {} ms", String.join(" ", command), code,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        if (code != 0) {
            List<String> lines;
            synchronized (output) {
                lines = List.copyOf(output);
            }
            throw new BackendException(BackendException.Kind.INVALID_CONFIG, "the core rejected the config: its test ("
                    + String.join(" ", command) + ") exited with code " + code + ": " + CoreOutput.firstError(lines));
        }
    }

    private static void readLines(Process process, List<String> output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (output.size() < 200) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            log.debug("stopped reading the core's config test: {}", e.toString());
        }
    }
}
