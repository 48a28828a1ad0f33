package io.pgnode.host.tls;

import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the node's key and certificate: SSL_CERT_FILE + SSL_KEY_FILE when set; else the pair in the data
 * directory, generated on first run. A generated pair is kept: the panel pins the certificate, so a new one
 * on every boot would break the connection. {@link #renew} replaces it on the operator's demand.
 */
public final class TlsSetup {

    static final String CERTIFICATE_FILE = "ssl_cert.pem";
    static final String KEY_FILE = "ssl_key.pem";

    private static final Logger log = LoggerFactory.getLogger(TlsSetup.class);

    private TlsSetup() {}

    public static NodeTls prepare(
            Optional<Path> certificateFile, Optional<Path> keyFile, Path dataDir, List<String> extraSans) {
        checkNames(extraSans); // a bad TLS_SAN stops every start, not only the one that generates
        NodeTls tls;
        if (certificateFile.isPresent() && keyFile.isPresent()) {
            tls = load(certificateFile.get(), Settings.SSL_CERT_FILE, keyFile.get(), Settings.SSL_KEY_FILE,
                    NodeTls.Source.CONFIGURED);
        } else {
            tls = loadOrGenerate(dataDir, extraSans);
        }
        log.info("TLS certificate for the panel: {} (SHA-256 {})",
                tls.certificateFile(), tls.material().sha256Fingerprint());
        return tls;
    }

    private static NodeTls loadOrGenerate(Path dataDir, List<String> extraSans) {
        Path certificate = dataDir.resolve(CERTIFICATE_FILE);
        Path key = dataDir.resolve(KEY_FILE);
        boolean hasCertificate = Files.exists(certificate);
        boolean hasKey = Files.exists(key);
        if (hasCertificate && hasKey) {
            return load(certificate, "the generated certificate", key, "the generated key", NodeTls.Source.STORED);
        }
        if (hasCertificate || hasKey) {
            Path present = hasCertificate ? certificate : key;
            Path missing = hasCertificate ? key : certificate;
            throw new StartupException(missing + " is missing but " + present + " exists; restore it, or delete "
                    + present + " to generate a new pair (the panel then needs the new certificate)");
        }
        return generate(dataDir, SubjectAltNames.ofThisMachine(extraSans));
    }

    /**
     * Replaces the generated pair in the data directory by a new key and certificate, valid for everything the
     * current certificate is valid for (a renewal never drops a name the panel may use), this machine's
     * names and addresses now, and the extra names. Without a current pair it generates the first one. The
     * API key is not touched; a running node serves the old pair until it restarts.
     *
     * @param extraSans more host names or IP addresses (TLS_SAN, {@code pg-node cert --san})
     * @throws StartupException for a name that is neither a host name nor an IP address, or a file that
     *     cannot be written
     */
    public static NodeTls renew(Path dataDir, List<String> extraSans) {
        List<String> extras = checkNames(extraSans);
        Path certificate = dataDir.resolve(CERTIFICATE_FILE);
        List<String> names = new ArrayList<>(SubjectAltNames.ofThisMachine(extras));
        if (Files.exists(certificate)) {
            try {
                names.addAll(SubjectAltNames.of(PemFiles.readCertificates(certificate).get(0)));
            } catch (IOException | GeneralSecurityException e) {
                log.warn("Cannot read the names of {} ({}); the new certificate covers this machine and the "
                        + "extra names only", certificate, describe(e));
            }
        }
        return generate(dataDir, SubjectAltNames.distinct(names));
    }

    /** The names and addresses a certificate is valid for (its subjectAltNames). */
    public static List<String> namesOf(X509Certificate certificate) {
        return SubjectAltNames.of(certificate);
    }

    /**
     * Whether a client that connects to this host name or IP address accepts the certificate's names (exact
     * entries only; a wildcard entry is not matched here).
     */
    public static boolean isValidFor(X509Certificate certificate, String hostOrAddress) {
        return SubjectAltNames.covers(SubjectAltNames.of(certificate), hostOrAddress);
    }

    /**
     * The names, each checked to be a host name or an IP address.
     *
     * @throws StartupException naming the first that is neither
     */
    public static List<String> checkNames(List<String> extraSans) {
        for (String name : extraSans) {
            if (!SubjectAltNames.isValid(name)) {
                throw new StartupException("'" + name + "' (" + Settings.TLS_SAN + " or --san) is neither a host "
                        + "name nor an IP address; a certificate name is e.g. node.example.com or 203.0.113.7");
            }
        }
        return List.copyOf(extraSans);
    }

    private static NodeTls generate(Path dataDir, List<String> names) {
        Path certificate = dataDir.resolve(CERTIFICATE_FILE);
        TlsMaterial material = SelfSignedCertificate.generate(names, Instant.now());
        try {
            PemFiles.writePrivateKey(dataDir.resolve(KEY_FILE), material.privateKey());
            PemFiles.writeCertificate(certificate, material.certificate());
        } catch (IOException e) {
            throw new StartupException("Cannot write the generated certificate into " + dataDir + ": "
                    + e.getMessage(), e);
        }
        log.info("Generated a self-signed certificate for {}", String.join(", ", names));
        return new NodeTls(material, certificate, NodeTls.Source.GENERATED);
    }

    private static NodeTls load(Path certificateFile, String certificateName, Path keyFile, String keyName,
            NodeTls.Source source) {
        List<X509Certificate> chain;
        try {
            chain = PemFiles.readCertificates(certificateFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new StartupException(
                    "Cannot read " + certificateName + " " + certificateFile + ": " + describe(e), e);
        }
        PrivateKey key;
        try {
            key = PemFiles.readPrivateKey(keyFile);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("Cannot read " + keyName + " " + keyFile + ": " + describe(e), e);
        }
        if (!belongTogether(key, chain.get(0))) {
            throw new StartupException(keyName + " " + keyFile + " is not the key of " + certificateName + " "
                    + certificateFile);
        }
        return new NodeTls(new TlsMaterial(key, chain), certificateFile, source);
    }

    // Sign with the key, verify with the certificate: works for every key algorithm the JDK knows.
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] probe = "pg-node key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "the file does not exist";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
