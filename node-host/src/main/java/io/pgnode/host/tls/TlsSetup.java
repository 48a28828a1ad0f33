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
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the node's key and certificate: SSL_CERT_FILE + SSL_KEY_FILE when set; else the pair in the data
 * directory, generated on first run. A generated pair is kept: the panel pins the certificate, so a new one
 * on every boot would break the connection.
 */
public final class TlsSetup {

    static final String CERTIFICATE_FILE = "ssl_cert.pem";
    static final String KEY_FILE = "ssl_key.pem";

    private static final Logger log = LoggerFactory.getLogger(TlsSetup.class);

    private TlsSetup() {}

    public static NodeTls prepare(
            Optional<Path> certificateFile, Optional<Path> keyFile, Path dataDir, List<String> extraSans) {
        NodeTls tls;
        if (certificateFile.isPresent() && keyFile.isPresent()) {
            tls = load(certificateFile.get(), Settings.SSL_CERT_FILE, keyFile.get(), Settings.SSL_KEY_FILE);
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
            return load(certificate, "the generated certificate", key, "the generated key");
        }
        if (hasCertificate || hasKey) {
            Path present = hasCertificate ? certificate : key;
            Path missing = hasCertificate ? key : certificate;
            throw new StartupException(missing + " is missing but " + present + " exists; restore it, or delete "
                    + present + " to generate a new pair (the panel then needs the new certificate)");
        }
        List<String> names = SubjectAltNames.ofThisMachine(extraSans);
        TlsMaterial material = SelfSignedCertificate.generate(names, Instant.now());
        try {
            PemFiles.writePrivateKey(key, material.privateKey());
            PemFiles.writeCertificate(certificate, material.certificate());
        } catch (IOException e) {
            throw new StartupException("Cannot write the generated certificate into " + dataDir + ": "
                    + e.getMessage(), e);
        }
        log.info("Generated a self-signed certificate for {}", String.join(", ", names));
        return new NodeTls(material, certificate);
    }

    private static NodeTls load(Path certificateFile, String certificateName, Path keyFile, String keyName) {
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
        return new NodeTls(new TlsMaterial(key, chain), certificateFile);
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
