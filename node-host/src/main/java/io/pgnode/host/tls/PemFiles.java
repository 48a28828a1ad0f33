package io.pgnode.host.tls;

import io.pgnode.host.files.PrivateFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads and writes PEM certificates and keys (PKCS#8, PKCS#1 RSA and SEC1 EC keys are all read). */
final class PemFiles {

    private PemFiles() {}

    /** The certificates in the file, in file order. */
    static List<X509Certificate> readCertificates(Path file) throws IOException, CertificateException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("no PEM certificate in it");
        }
        return certificates;
    }

    /** The first private key in the file. */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new IOException("the key is encrypted; the node needs it unencrypted "
                            + "(openssl pkey -in KEY -out PLAIN_KEY)");
                }
            }
        }
        throw new IOException("no PEM private key in it");
    }

    static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
        Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
        PrivateFiles.matchOwner(file);
    }

    /** Writes the key as PKCS#8 ("PRIVATE KEY"), the form every TLS tool reads. */
    static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        PrivateFiles.write(file, pem(new JcaPKCS8Generator(key, null)));
    }

    /** The certificates as PEM text, one block each. */
    static String pem(List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        try {
            for (X509Certificate certificate : certificates) {
                text.append(pem((Object) certificate));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a certificate as PEM", e);
        }
        return text.toString();
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }
}
