package io.pgnode.host.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key formats operators bring: PKCS#1 RSA, SEC1 EC (openssl's defaults) and PKCS#8 (certbot's). */
class PemFilesTest {

    @TempDir Path directory;

    @Test
    void readsTraditionalRsaAndEcKeys() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            // BouncyCastle's EC keys carry the curve and public key in SEC1 form, as openssl writes them
            PrivateKey key = KeyPairGenerator.getInstance(algorithm, new BouncyCastleProvider())
                    .generateKeyPair().getPrivate();
            Path file = directory.resolve(algorithm + ".pem");
            try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
                writer.writeObject(key); // a bare JCA key is written in the traditional form
            }

            assertThat(Files.readString(file)).startsWith("-----BEGIN " + algorithm + " PRIVATE KEY-----");
            assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(key.getEncoded());
        }
    }

    @Test
    void writesPkcs8AndReadsItBack() throws Exception {
        PrivateKey key = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
        Path file = directory.resolve("written.pem");

        PemFiles.writePrivateKey(file, key);

        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemFiles.readPrivateKey(file)).isEqualTo(key);
    }

    @Test
    void readsPkcs8Keys() throws Exception {
        PrivateKey key = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        Path file = Files.writeString(directory.resolve("pkcs8.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

        assertThat(PemFiles.readPrivateKey(file)).isEqualTo(key);
    }

    @Test
    void aFileWithoutCertificatesSaysSo() throws IOException {
        Path file = Files.writeString(directory.resolve("empty.pem"), "nothing here\n");

        assertThatThrownBy(() -> PemFiles.readCertificates(file)).hasMessageContaining("no PEM certificate");
    }
}
