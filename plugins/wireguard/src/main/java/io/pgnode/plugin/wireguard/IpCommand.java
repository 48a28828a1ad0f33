package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.util.List;

/** iproute2's {@code ip}, as the backend uses it: interfaces, their addresses and their byte counters. */
final class IpCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An interface's byte counters since it was created.
     *
     * @param received bytes that came out of the tunnel (sent by peers)
     * @param sent bytes that went into the tunnel (to peers)
     */
    record LinkCounters(long received, long sent) {}

    private final Tool ip;

    IpCommand(Tool ip) {
        this.ip = requireNonNull(ip, "ip is null");
    }

    Tool tool() {
        return ip;
    }

    /** Whether a network interface of this name exists (of any kind, anyone's). */
    boolean exists(String iface) {
        Tool.Result result = ip.run(List.of("link", "show", "dev", iface));
        if (result.succeeded()) {
            return true;
        }
        if (result.stderr().contains("does not exist")) {
            return false;
        }
        throw new BackendException(BackendException.Kind.FAILURE, "could not look for the interface " + iface
                + ": ip said: " + result.words());
    }

    /**
     * Creates a kernel WireGuard interface.
     *
     * @throws BackendException {@code FAILURE}, saying so when the kernel has no WireGuard module
     */
    void addWireguardLink(String iface) {
        Tool.Result result = ip.run(List.of("link", "add", "dev", iface, "type", "wireguard"));
        if (result.succeeded()) {
            return;
        }
        if (result.stderr().contains("Unknown device type") || result.stderr().contains("not supported")) {
            throw new BackendException(BackendException.Kind.FAILURE, "this kernel has no WireGuard module (ip said: "
                    + result.words() + "); load it (modprobe wireguard) or set " + WireguardSettings.MODE
                    + "=userspace to run wireguard-go");
        }
        throw permissionAware("create the interface " + iface, result);
    }

    void addAddress(String iface, Cidr address) {
        Tool.Result result = ip.run(List.of("address", "add", address.toString(), "dev", iface));
        if (!result.succeeded()) {
            throw permissionAware("give " + iface + " the address " + address, result);
        }
    }

    void up(String iface) {
        Tool.Result result = ip.run(List.of("link", "set", "dev", iface, "up"));
        if (!result.succeeded()) {
            throw permissionAware("bring " + iface + " up", result);
        }
    }

    /** Deletes the interface; one that is already gone is no error. */
    void delete(String iface) {
        Tool.Result result = ip.run(List.of("link", "delete", "dev", iface));
        if (!result.succeeded() && !result.stderr().contains("Cannot find device")
                && !result.stderr().contains("does not exist")) {
            throw permissionAware("remove the interface " + iface, result);
        }
    }

    /** The interface's own counters: every byte through it, as the kernel counts them. */
    LinkCounters counters(String iface) {
        String out = ip.runOrFail("read the counters of " + iface, List.of("-j", "-s", "link", "show", "dev", iface));
        try {
            JsonNode stats = JSON.readTree(out).path(0).path("stats64");
            if (!stats.path("rx").path("bytes").isNumber() || !stats.path("tx").path("bytes").isNumber()) {
                throw new BackendException(BackendException.Kind.FAILURE, "`ip -j -s link show` printed no byte"
                        + " counters for " + iface);
            }
            return new LinkCounters(stats.path("rx").path("bytes").asLong(), stats.path("tx").path("bytes").asLong());
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "`ip -j -s link show` printed no JSON for " + iface
                    + ": " + e.getMessage());
        }
    }

    private static BackendException permissionAware(String what, Tool.Result result) {
        String hint = result.stderr().contains("Operation not permitted")
                ? "; the node needs CAP_NET_ADMIN (AmbientCapabilities=CAP_NET_ADMIN in its systemd unit)" : "";
        return new BackendException(BackendException.Kind.FAILURE, "could not " + what + ": ip said: " + result.words()
                + hint);
    }
}
