package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a node that ended without removing its interface left behind (a crash, a SIGKILL, a power cut): the
 * interfaces its records in the work directory name, and the wireguard-go processes that still hold them (a child
 * outlives its parent). Runs at Start, when no interface of this node's own can be live.
 */
final class StaleInterfaces {

    private static final Logger log = LoggerFactory.getLogger(StaleInterfaces.class);

    private final Path workDirectory;
    private final IpCommand ip;
    private final Duration grace;

    StaleInterfaces(Path workDirectory, IpCommand ip, Duration grace) {
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
        this.ip = requireNonNull(ip, "ip is null");
        this.grace = requireNonNull(grace, "grace is null");
    }

    /**
     * Removes every recorded interface and its daemon, then the records.
     *
     * @throws BackendException {@code FAILURE} when a leftover cannot be removed
     */
    void removeAll() {
        for (Path file : InterfaceRecord.files(workDirectory)) {
            InterfaceRecord.read(file).ifPresent(this::remove);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("could not delete the interface record {}: {}", file, e.getMessage());
            }
        }
    }

    /**
     * Also removes the control socket a killed wireguard-go leaves (the interface went with the process, the socket
     * did not); only when no interface of that name exists, so that a live daemon's socket is never touched.
     */
    void removeOrphanedSocket(String iface) {
        Path socket = WireguardGoProcess.socket(iface);
        if (Files.exists(socket) && !ip.exists(iface)) {
            try {
                Files.deleteIfExists(socket);
                log.info("removed the control socket {} that a killed wireguard-go left", socket);
            } catch (IOException e) {
                log.warn("could not remove the stale control socket {}: {}", socket, e.getMessage());
            }
        }
    }

    private void remove(InterfaceRecord record) {
        Optional<ProcessHandle> daemon = record.liveDaemon();
        if (daemon.isPresent()) {
            log.warn("a previous run of the node left wireguard-go (pid {}) holding {}; stopping it", record.pid(),
                    record.iface());
            daemon.get().destroy();
            if (!awaitGone(record.iface())) {
                daemon.get().destroyForcibly();
                if (!awaitGone(record.iface())) {
                    throw new BackendException(BackendException.Kind.FAILURE, "the wireguard-go process " + record.pid()
                            + " left by a previous run still holds " + record.iface() + " after KILL; remove it by hand");
                }
            }
        } else if (ip.exists(record.iface()) && record.mode() == WireguardSettings.Mode.KERNEL) {
            log.warn("a previous run of the node left the kernel interface {}; removing it", record.iface());
            ip.delete(record.iface());
        }
        removeOrphanedSocket(record.iface());
    }

    /** Waits until the interface is gone: when a daemon ends, its interface goes with it. */
    private boolean awaitGone(String iface) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (ip.exists(iface)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
