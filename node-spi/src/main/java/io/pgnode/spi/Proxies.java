package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A user's credentials, one optional entry per protocol. An absent entry means the panel sent no
 * credentials for that protocol; a backend then leaves the user out of inbounds of that protocol.
 *
 * @param vmess VMess credentials, or null
 * @param vless VLESS credentials, or null
 * @param trojan Trojan credentials, or null
 * @param shadowsocks Shadowsocks credentials, or null
 * @param wireguard WireGuard credentials, or null
 * @param hysteria Hysteria credentials, or null
 */
public record Proxies(
        Vmess vmess, Vless vless, Trojan trojan, Shadowsocks shadowsocks, Wireguard wireguard, Hysteria hysteria) {

    /** No credentials at all. */
    public static final Proxies NONE = new Proxies(null, null, null, null, null, null);

    /** VMess credentials, if any. */
    public Optional<Vmess> vmessAccount() {
        return Optional.ofNullable(vmess);
    }

    /** VLESS credentials, if any. */
    public Optional<Vless> vlessAccount() {
        return Optional.ofNullable(vless);
    }

    /** Trojan credentials, if any. */
    public Optional<Trojan> trojanAccount() {
        return Optional.ofNullable(trojan);
    }

    /** Shadowsocks credentials, if any. */
    public Optional<Shadowsocks> shadowsocksAccount() {
        return Optional.ofNullable(shadowsocks);
    }

    /** WireGuard credentials, if any. */
    public Optional<Wireguard> wireguardAccount() {
        return Optional.ofNullable(wireguard);
    }

    /** Hysteria credentials, if any. */
    public Optional<Hysteria> hysteriaAccount() {
        return Optional.ofNullable(hysteria);
    }

    /** VMess: the user's UUID. */
    public record Vmess(String id) {
        public Vmess {
            requireNonNull(id, "id is null");
        }

        @Override
        public String toString() {
            return "Vmess[id=" + Secrets.mask(id) + "]";
        }
    }

    /** VLESS: the user's UUID and flow ({@code ""} or e.g. {@code xtls-rprx-vision}). */
    public record Vless(String id, String flow) {
        public Vless {
            requireNonNull(id, "id is null");
            requireNonNull(flow, "flow is null");
        }

        @Override
        public String toString() {
            return "Vless[id=" + Secrets.mask(id) + ", flow=" + flow + "]";
        }
    }

    /** Trojan: the user's password. */
    public record Trojan(String password) {
        public Trojan {
            requireNonNull(password, "password is null");
        }

        @Override
        public String toString() {
            return "Trojan[password=" + Secrets.mask(password) + "]";
        }
    }

    /** Shadowsocks: the user's password and cipher method (e.g. {@code aes-128-gcm}). */
    public record Shadowsocks(String password, String method) {
        public Shadowsocks {
            requireNonNull(password, "password is null");
            requireNonNull(method, "method is null");
        }

        @Override
        public String toString() {
            return "Shadowsocks[password=" + Secrets.mask(password) + ", method=" + method + "]";
        }
    }

    /** WireGuard: the peer's public key and its allowed IPs. */
    public record Wireguard(String publicKey, List<String> peerIps) {
        public Wireguard {
            requireNonNull(publicKey, "publicKey is null");
            peerIps = List.copyOf(peerIps);
        }
    }

    /** Hysteria: the user's auth secret. */
    public record Hysteria(String auth) {
        public Hysteria {
            requireNonNull(auth, "auth is null");
        }

        @Override
        public String toString() {
            return "Hysteria[auth=" + Secrets.mask(auth) + "]";
        }
    }
}
