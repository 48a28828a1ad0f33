package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * wireguard-tools' {@code wg}, as the backend uses it: the interface's key and port, its peers, and its dump.
 * Keys go to it in files, never as arguments (public keys excepted: they are not secret).
 */
final class WgCommand {

    /** Peers per {@code wg set} run: keeps the command line far below the kernel's limit for 100,000 peers. */
    static final int PEERS_PER_RUN = 200;

    private final Tool wg;

    WgCommand(Tool wg) {
        this.wg = requireNonNull(wg, "wg is null");
    }

    Tool tool() {
        return wg;
    }

    /** {@code v1.0.20210914}: the second word of {@code wg --version}, as the upstream node reports it. */
    String version() {
        String out = wg.runOrFail("read the wireguard-tools version", List.of("--version")).strip();
        String[] words = out.split("\\s+");
        if (words.length < 2 || !words[0].equals("wireguard-tools")) {
            throw new BackendException(BackendException.Kind.FAILURE, wg.executable() + " does not look like"
                    + " wireguard-tools' wg: `wg --version` printed \"" + firstLine(out) + "\"; check "
                    + WireguardSettings.WG_PATH);
        }
        return words[1];
    }

    /**
     * Gives the interface its private key (from an owner-only file) and listen port.
     *
     * @throws BackendException {@code FAILURE}; "UDP port N is in use" when that is why
     */
    void configureInterface(String iface, Path privateKeyFile, int listenPort) {
        Tool.Result result = wg.run(List.of("set", iface, "listen-port", String.valueOf(listenPort), "private-key",
                privateKeyFile.toString()));
        if (result.succeeded()) {
            return;
        }
        if (result.stderr().contains("Address already in use") || result.stderr().contains("Address in use")) {
            throw new BackendException(BackendException.Kind.FAILURE, "UDP port " + listenPort + " is in use by another"
                    + " program; free it or choose another listen_port (wg said: " + result.words() + ")");
        }
        throw new BackendException(BackendException.Kind.FAILURE, "could not set the key and port of " + iface
                + ": wg said: " + result.words());
    }

    /**
     * Adds peers, or sets the allowed IPs of peers the interface has, {@value #PEERS_PER_RUN} per run.
     *
     * @param preSharedKeyFile an owner-only file with the pre-shared key every peer gets, if any
     * @param keepaliveSeconds the persistent keepalive towards each peer; 0 is off
     * @throws BackendException {@code FAILURE} with wg's words; the runs before the failing one were applied
     */
    void setPeers(String iface, List<Peer> peers, Optional<Path> preSharedKeyFile, int keepaliveSeconds) {
        for (int from = 0; from < peers.size(); from += PEERS_PER_RUN) {
            List<String> args = new ArrayList<>(List.of("set", iface));
            for (Peer peer : peers.subList(from, Math.min(peers.size(), from + PEERS_PER_RUN))) {
                args.add("peer");
                args.add(peer.key().base64());
                if (preSharedKeyFile.isPresent()) {
                    args.add("preshared-key");
                    args.add(preSharedKeyFile.get().toString());
                }
                args.add("persistent-keepalive");
                args.add(keepaliveSeconds == 0 ? "off" : String.valueOf(keepaliveSeconds));
                args.add("allowed-ips");
                args.add(peer.allowedIpsArgument());
            }
            Tool.Result result = wg.run(args);
            if (!result.succeeded()) {
                throw new BackendException(BackendException.Kind.FAILURE, "could not set " + peers.size()
                        + " peers of " + iface + ": wg said: " + result.words());
            }
        }
    }

    /** Removes peers by key, {@value #PEERS_PER_RUN} per run; a key the interface lacks is no error. */
    void removePeers(String iface, List<WireguardKey> keys) {
        for (int from = 0; from < keys.size(); from += PEERS_PER_RUN) {
            List<String> args = new ArrayList<>(List.of("set", iface));
            for (WireguardKey key : keys.subList(from, Math.min(keys.size(), from + PEERS_PER_RUN))) {
                args.add("peer");
                args.add(key.base64());
                args.add("remove");
            }
            Tool.Result result = wg.run(args);
            if (!result.succeeded()) {
                throw new BackendException(BackendException.Kind.FAILURE, "could not remove " + keys.size()
                        + " peers of " + iface + ": wg said: " + result.words());
            }
        }
    }

    /** The interface's peers and counters now. */
    InterfaceDump dump(String iface) {
        Tool.Result result = wg.run(List.of("show", iface, "dump"));
        if (!result.succeeded()) {
            throw new BackendException(BackendException.Kind.FAILURE, "could not read the peers of " + iface
                    + ": wg said: " + result.words());
        }
        try {
            return InterfaceDump.parse(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "could not read the peers of " + iface + ": "
                    + e.getMessage());
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
