package io.pgnode.host.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The node's private key and certificate chain; both transports serve the same pair. */
public final class TlsMaterial {

    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;

    public TlsMaterial(PrivateKey privateKey, List<X509Certificate> chain) {
        this.privateKey = requireNonNull(privateKey, "privateKey is null");
        this.chain = List.copyOf(chain);
        if (this.chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The server certificate first, then any intermediates. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The server certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The chain as PEM text: what the panel is given to pin. */
    public String chainPem() {
        return PemFiles.pem(chain);
    }

    /** SHA-256 of the certificate, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String sha256Fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** A server-side JDK context (for the REST listener) holding this key and chain. */
    public SSLContext sslContext() {
        try {
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("node", privateKey, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context from the node's key", e);
        }
    }
}
