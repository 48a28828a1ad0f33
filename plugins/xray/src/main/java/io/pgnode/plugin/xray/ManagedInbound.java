package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.Proxies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * An inbound of the panel's config whose users the plugin manages, with what decides how a user's
 * credentials look inside it.
 *
 * @param tag the inbound's tag (users name it in their {@code inbounds})
 * @param protocol the managed protocol
 * @param flowOverride VLESS only: the inbound's own {@code settings.flow}, which replaces every user's flow
 * @param flowCapable VLESS only: whether the inbound's transport can carry a flow (raw/tcp/kcp with TLS or
 *     REALITY, no HTTP header obfuscation); if not, users' flows are dropped as upstream nodes do
 * @param method Shadowsocks 2022 only: the inbound's method, which sets the users' key size
 */
record ManagedInbound(String tag, InboundProtocol protocol, Optional<String> flowOverride, boolean flowCapable,
        String method) {


    ManagedInbound {
        requireNonNull(tag, "tag is null");
        requireNonNull(protocol, "protocol is null");
        requireNonNull(flowOverride, "flowOverride is null");
        requireNonNull(method, "method is null");
    }

    /**
     * The user's account for this inbound.
     *
     * @throws InvalidCredentialsException naming what is missing or malformed (never the secret itself)
     */
    InboundAccount accountFor(Proxies proxies, CoreFlavor flavor) {
        switch (protocol) {
            case VMESS: {
                Proxies.Vmess vmess = proxies.vmessAccount().orElseThrow(() -> missing("vmess id"));
                return new InboundAccount.Vmess(checkedId(vmess.id(), "vmess", flavor));
            }
            case VLESS: {
                Proxies.Vless vless = proxies.vlessAccount().orElseThrow(() -> missing("vless id"));
                String flow = flowOverride.orElse(flowCapable ? vless.flow() : "");
                return new InboundAccount.Vless(checkedId(vless.id(), "vless", flavor), flow);
            }
            case TROJAN: {
                String password = proxies.trojanAccount().map(Proxies.Trojan::password).orElse("");
                if (password.isEmpty()) {
                    throw missing("trojan password");
                }
                return new InboundAccount.Trojan(password);
            }
            case SHADOWSOCKS: {
                Proxies.Shadowsocks ss = shadowsocks(proxies);
                int cipher = flavor.cipherNumber(ss.method()).orElseThrow(() -> new InvalidCredentialsException(
                        "shadowsocks method '" + ss.method() + "' is not supported by " + flavor.displayName()));
                return new InboundAccount.Shadowsocks(ss.password(), ss.method().trim().toLowerCase(java.util.Locale.ROOT),
                        cipher);
            }
            case SHADOWSOCKS_2022:
                return new InboundAccount.Shadowsocks2022(shadowsocks2022Key(shadowsocks(proxies).password(), method));
            case HYSTERIA: {
                String auth = proxies.hysteriaAccount().map(Proxies.Hysteria::auth).orElse("");
                if (auth.isEmpty()) {
                    throw missing("hysteria auth");
                }
                return new InboundAccount.Hysteria(auth);
            }
            default:
                throw new IllegalStateException("unhandled protocol " + protocol);
        }
    }

    private InvalidCredentialsException missing(String what) {
        return new InvalidCredentialsException("no " + what + " for inbound " + tag);
    }

    private Proxies.Shadowsocks shadowsocks(Proxies proxies) {
        Proxies.Shadowsocks ss = proxies.shadowsocksAccount().orElseThrow(() -> missing("shadowsocks password"));
        if (ss.password().isEmpty()) {
            throw missing("shadowsocks password");
        }
        return ss;
    }

    /**
     * v2fly wants a real UUID (32 hex digits, dashes optional); Xray also maps any 1-30 character string to
     * a UUIDv5 (XRAY-API.md §5.2).
     */
    private static String checkedId(String id, String protocol, CoreFlavor flavor) {
        boolean uuid = isUuid(id);
        boolean xrayShortId = flavor == CoreFlavor.XRAY && !id.isEmpty() && id.length() <= 30;
        if (!uuid && !xrayShortId) {
            throw new InvalidCredentialsException(protocol + " id is not a UUID");
        }
        return id;
    }

    /** 32 hex digits once the dashes are left out; checked in place (every user of a 100,000-user sync passes here). */
    static boolean isUuid(String id) {
        int digits = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.digit(c, 16) >= 0 && c < 128) {
                digits++;
            } else if (c != '-') {
                return false;
            }
        }
        return digits == 32;
    }

    /**
     * A Shadowsocks 2022 user key must be base64 of exactly 16 bytes (aes-128-gcm) or 32 bytes (aes-256-gcm,
     * chacha20-poly1305). A password that already is such a key is used as is; any other password becomes
     * the first 16/32 bytes of its SHA-256, base64-encoded: the same derivation the panel's clients use.
     */
    static String shadowsocks2022Key(String password, String method) {
        int size = method.contains("aes-128-gcm") ? 16 : 32;
        try {
            if (Base64.getDecoder().decode(password).length == size) {
                return password;
            }
        } catch (IllegalArgumentException notBase64) {
            // derive below
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(Arrays.copyOf(hash, size));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
