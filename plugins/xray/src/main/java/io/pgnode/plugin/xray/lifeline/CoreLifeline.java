package io.pgnode.plugin.xray.lifeline;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a core when its node dies, without the node doing anything: a tiny {@code /bin/sh} sidecar per core
 * whose stdin is a pipe only this JVM writes to. However the JVM ends (SIGKILL, the OOM killer, a crash), the
 * kernel closes its end of the pipe; the sidecar's {@code read} then sees end of file and kills the core, after
 * checking by its start time that the PID still is that core. On a normal stop the node writes {@code release}
 * instead, and the sidecar exits without killing anything.
 *
 * <p>The sidecar ignores SIGINT and SIGHUP (a terminal's Ctrl-C or hang-up reaches the whole process group; the
 * node handles those itself), and its output goes nowhere, so that no pipe of the dead node can stop it with
 * SIGPIPE. It costs one idle shell process (~1 MiB) per core and no thread in the node.
 */
public final class CoreLifeline {

    private static final Logger log = LoggerFactory.getLogger(CoreLifeline.class);

    /** The sidecar: $1 the core's PID, $2 its start time (field 22 of /proc/$1/stat). */
    static final String SCRIPT = String.join("\n",
            "trap '' INT HUP",
            "if read -r word && [ \"$word\" = release ]; then exit 0; fi",
            "stat=$(cat \"/proc/$1/stat\" 2>/dev/null) || exit 0",
            "pid=$1 start=$2",
            "set -- ${stat##*) }",
            "[ \"${20}\" = \"$start\" ] && kill -KILL \"$pid\"",
            "exit 0");

    private static final String SHELL = "/bin/sh";

    private final Process sidecar;
    private final ProcessIdentity identity;
    private final ProcessIdentity core;

    private CoreLifeline(Process sidecar, ProcessIdentity identity, ProcessIdentity core) {
        this.sidecar = sidecar;
        this.identity = identity;
        this.core = core;
    }

    /**
     * Starts the sidecar for a running core.
     *
     * @throws IOException when the sidecar cannot be started (no {@code /bin/sh}, no {@code /proc})
     */
    public static CoreLifeline attach(ProcessIdentity core) throws IOException {
        requireNonNull(core, "core is null");
        Process sidecar = new ProcessBuilder(List.of(SHELL, "-c", SCRIPT, "pg-node-lifeline",
                Long.toString(core.pid()), Long.toString(core.startTime())))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Optional<ProcessIdentity> identity = ProcessIdentity.of(sidecar.pid());
        if (identity.isEmpty()) {
            sidecar.destroyForcibly();
            throw new IOException("the core's lifeline (pid " + sidecar.pid() + ") exited at once");
        }
        return new CoreLifeline(sidecar, identity.get(), core);
    }

    /** The sidecar's own identity, for the record of the running core. */
    public ProcessIdentity identity() {
        return identity;
    }

    /** The core it guards. */
    public ProcessIdentity core() {
        return core;
    }

    /** Whether the sidecar still runs (its guard holds). */
    public boolean isAlive() {
        return sidecar.isAlive();
    }

    /** Closes this JVM's end of the pipe without a word, as the node's death does: for tests. */
    void cut() throws IOException {
        sidecar.getOutputStream().close();
    }

    /**
     * Ends the sidecar without it killing anything: the core was stopped, or is stopped next by the node itself.
     * Idempotent; never throws.
     */
    public void release() {
        if (!sidecar.isAlive()) {
            return;
        }
        try (OutputStream in = sidecar.getOutputStream()) {
            in.write("release\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.debug("the lifeline of core {} went away before its release: {}", core.pid(), e.toString());
        }
        try {
            if (!sidecar.waitFor(2, TimeUnit.SECONDS)) {
                // a stopped sidecar cannot read; it must not wake up later and find the pipe closed
                sidecar.destroyForcibly();
            }
        } catch (InterruptedException e) {
            sidecar.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
