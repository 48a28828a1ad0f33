package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.lifeline.CoreLifeline;
import io.pgnode.plugin.xray.lifeline.CoreRecord;
import io.pgnode.plugin.xray.lifeline.ProcessIdentity;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts cores: the rendered config streamed into a new core process with its API on a free loopback port, then
 * waits until that API answers. Each core gets a {@link CoreLifeline}, so that it ends when the node dies, and a
 * {@link CoreRecord} in the work directory, so that the next start finds it should it outlive the node anyway.
 */
final class CoreLauncher {

    private static final Logger log = LoggerFactory.getLogger(CoreLauncher.class);
    private static final String DEBUG_CONFIG_FILE = "xray_config.json";

    /**
     * @param startTimeout how long a core with no users may take until its API answers
     * @param startTimePerMembership added to {@code startTimeout} per user-in-inbound (100k users load slowly)
     * @param stopGrace how long a core may take to exit after TERM before it is killed
     */
    record Timing(Duration startTimeout, Duration startTimePerMembership, Duration stopGrace) {
        Timing {
            requireNonNull(startTimeout, "startTimeout is null");
            requireNonNull(startTimePerMembership, "startTimePerMembership is null");
            requireNonNull(stopGrace, "stopGrace is null");
        }
    }

    private final BackendContext context;
    private final XraySettings settings;
    private final CoreApiConnector connector;
    private final Timing timing;
    /** The core being started, so that {@link #abort()} can cut a long start short. */
    private volatile CoreProcess launching;

    CoreLauncher(BackendContext context, XraySettings settings, CoreApiConnector connector, Timing timing) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.connector = requireNonNull(connector, "connector is null");
        this.timing = requireNonNull(timing, "timing is null");
    }

    /**
     * Starts a core with these users and waits until its API answers. The API port is picked free just before the
     * core binds it; if something else took it meanwhile, another port is tried.
     *
     * @param cancelled answers true once the backend is closing (the start is then given up)
     * @throws BackendException {@code INVALID_CONFIG} when the core rejects the config, {@code FAILURE} otherwise
     */
    CoreSession launch(Path executable, CoreFlavor flavor, XrayConfigRenderer renderer, Collection<UserEntry> users,
            BooleanSupplier cancelled) {
        for (int attempt = 1; ; attempt++) {
            try {
                return launchOnPort(executable, flavor, renderer, users, freeLoopbackPort(), cancelled);
            } catch (ApiPortTaken e) {
                if (attempt == 3) {
                    throw new BackendException(BackendException.Kind.FAILURE, e.getMessage());
                }
                log.warn("the core's API port was taken before the core bound it; trying another port");
            }
        }
    }

    /** Stops the core being started, if any: close() must not wait for a 100,000-user start to finish. */
    void abort() {
        CoreProcess starting = launching;
        if (starting != null) {
            starting.stop(timing.stopGrace());
        }
    }

    private CoreSession launchOnPort(Path executable, CoreFlavor flavor, XrayConfigRenderer renderer,
            Collection<UserEntry> users, int port, BooleanSupplier cancelled) {
        CoreProcess.ConfigWriter writer = out -> renderer.write(out, port, users);
        if (settings.debug()) {
            writeDebugCopy(writer);
        }
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(flavor.stdinArguments());
        CoreProcess process;
        try {
            process = CoreProcess.start(command, settings.coreEnvironment(), context.workDirectory(), writer,
                    context.logSink());
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot start the core " + executable + ": "
                    + e.getMessage() + "; check " + XraySettings.EXECUTABLE, e);
        }
        launching = process;
        Optional<CoreLifeline> lifeline = Optional.empty();
        Optional<CoreRecord> record = Optional.empty();
        try {
            Optional<ProcessIdentity> identity = ProcessIdentity.of(process.pid());
            lifeline = identity.flatMap(CoreLauncher::lifeline);
            Optional<CoreLifeline> guard = lifeline;
            record = identity.flatMap(core -> record(core, guard, executable, port, renderer.nodeInboundTags(), flavor));
            CoreApiClient api = awaitApi(process, port, flavor, users, cancelled);
            return new CoreSession(process, api, port, lifeline, record, context.workDirectory());
        } catch (RuntimeException e) {
            process.stop(timing.stopGrace());
            lifeline.ifPresent(CoreLifeline::release);
            record.ifPresent(r -> r.removeFrom(context.workDirectory()));
            throw e;
        } finally {
            launching = null;
        }
    }

    private static Optional<CoreLifeline> lifeline(ProcessIdentity core) {
        try {
            return Optional.of(CoreLifeline.attach(core));
        } catch (IOException e) {
            log.warn("the core (pid {}) runs without its lifeline, so it would outlive the node should the node be"
                    + " killed (the next start ends it): {}", core.pid(), e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<CoreRecord> record(ProcessIdentity core, Optional<CoreLifeline> lifeline, Path executable,
            int port, Set<String> nodeInboundTags, CoreFlavor flavor) {
        CoreRecord record = new CoreRecord(core, lifeline.map(CoreLifeline::identity), executable.toString(), port,
                nodeInboundTags, flavor.name());
        try {
            record.writeTo(context.workDirectory());
            return Optional.of(record);
        } catch (IOException e) {
            log.warn("could not record the running core in {} ({}); a core that outlives the node is not found at the"
                    + " next start", context.workDirectory(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Polls the API until it answers. A fresh channel per attempt: a channel that failed to connect backs
     * off for a second or more, which would only delay a core that is ready in a fraction of that.
     */
    private CoreApiClient awaitApi(CoreProcess process, int port, CoreFlavor flavor, Collection<UserEntry> users,
            BooleanSupplier cancelled) {
        long memberships = users.stream().mapToLong(UserEntry::inboundCount).sum();
        Duration limit = timing.startTimeout().plus(timing.startTimePerMembership().multipliedBy(memberships));
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 10;
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw new BackendException(BackendException.Kind.FAILURE, "the backend was closed while the core was starting");
            }
            if (!process.isAlive()) {
                List<String> lines = process.lastLines();
                String words = String.join("\n", lines);
                if (words.contains(":" + port) && words.contains("address already in use")) {
                    throw new ApiPortTaken("the core could not bind its API port " + port + ": " + CoreOutput.firstError(lines));
                }
                throw exitedWhileStarting(process.exitCode(), lines);
            }
            CoreApiClient api = new CoreApiClient(connector.open(port), flavor);
            try {
                api.sysStats(Duration.ofSeconds(2));
                return api;
            } catch (BackendException notYet) {
                api.close();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BackendException(BackendException.Kind.FAILURE, "the core's API did not answer within "
                        + limit.toSeconds() + " s of starting; the core's last lines:" + lastWords(process));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.FAILURE, "interrupted while the core was starting", e);
            }
            pause = Math.min(250, pause * 3 / 2);
        }
    }

    /**
     * Exit code 23 is how both cores say "this config cannot run", and 2 is a Go panic, which a core that has not
     * served yet raises on a config it cannot load (v2ray on a port of 99999): both are the config's fault.
     */
    static BackendException exitedWhileStarting(int code, List<String> lines) {
        String message = "the core exited with code " + code + " while starting: " + CoreOutput.firstError(lines);
        return new BackendException(code == 23 || code == 2 ? BackendException.Kind.INVALID_CONFIG
                : BackendException.Kind.FAILURE, message);
    }

    private static String lastWords(CoreProcess process) {
        List<String> lines = process.lastLines();
        List<String> tail = lines.subList(Math.max(0, lines.size() - 12), lines.size());
        return tail.isEmpty() ? " (none)" : "\n" + String.join("\n", tail);
    }

    /** DEBUG: the same rendering into GENERATED_CONFIG_PATH, owner-readable only (it holds credentials). */
    private void writeDebugCopy(CoreProcess.ConfigWriter writer) {
        Path dir = settings.generatedConfigPath();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, DEBUG_CONFIG_FILE, ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort off POSIX
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                writer.writeTo(out);
            }
            Files.move(temp, dir.resolve(DEBUG_CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("DEBUG: could not write the rendered config to {} ({}); check {}", dir, e.getMessage(),
                    XraySettings.GENERATED_CONFIG);
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "no free loopback port for the core's API", e);
        }
    }

    /** The API port went to someone else between picking it and the core binding it. */
    private static final class ApiPortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApiPortTaken(String message) {
            super(message);
        }
    }
}
