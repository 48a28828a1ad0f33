package io.pgnode.plugin.xray;

import java.util.Locale;
import java.util.Optional;

/** The inbound protocols whose users the plugin manages. Other inbounds (socks, http, ...) are left alone. */
enum InboundProtocol {
    VMESS,
    VLESS,
    TROJAN,
    /** Classic AEAD Shadowsocks; on v2fly the inbound holds exactly one user. */
    SHADOWSOCKS,
    /** Shadowsocks 2022 multi-user inbound (Xray only): a {@code 2022-blake3-*} method. */
    SHADOWSOCKS_2022,
    /** Hysteria 2 (Xray only). */
    HYSTERIA;

    /** Maps an inbound's {@code protocol} and {@code settings.method} to a managed protocol, if it is one. */
    static Optional<InboundProtocol> of(String protocol, String shadowsocksMethod) {
        switch (protocol.toLowerCase(Locale.ROOT)) {
            case "vmess":
                return Optional.of(VMESS);
            case "vless":
                return Optional.of(VLESS);
            case "trojan":
                return Optional.of(TROJAN);
            case "shadowsocks":
                return Optional.of(shadowsocksMethod.startsWith("2022-blake3") ? SHADOWSOCKS_2022 : SHADOWSOCKS);
            case "hysteria":
            case "hysteria2":
                return Optional.of(HYSTERIA);
            default:
                return Optional.empty();
        }
    }
}
