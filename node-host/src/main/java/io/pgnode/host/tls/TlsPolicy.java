package io.pgnode.host.tls;

import java.util.List;

/**
 * What both listeners negotiate: TLS 1.3 and 1.2, and on 1.2 only ECDHE key exchange with an AEAD cipher
 * (AES-GCM, ChaCha20-Poly1305), the set HTTP/2 requires and gRPC offers. No CBC, SHA-1 or static-RSA suites:
 * a client that offers nothing else fails the handshake on either port. The RSA suites serve an operator's
 * own RSA certificate; the generated one is ECDSA.
 */
public final class TlsPolicy {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsPolicy() {}
}
