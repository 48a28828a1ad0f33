package io.pgnode.host.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the node's own certificate: an EC P-256 key and a self-signed server certificate valid for ten
 * years. The panel pins it (it is given the PEM), so there is no CA; the extensions are those strict
 * verifiers (OpenSSL's X509_STRICT, Java's PKIX) expect of a server certificate.
 */
final class SelfSignedCertificate {

    static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedCertificate() {}

    /** A new key and a certificate for the given subjectAltNames (host names and IP literals). */
    static TlsMaterial generate(List<String> subjectAltNames, Instant now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keyPair = generator.generateKeyPair();

            X500Name subject = new X500Name("CN=pg-node,O=pg-node");
            BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
            // backdated a day so that a panel whose clock lags a little still accepts it
            Date notBefore = Date.from(now.minus(Duration.ofDays(1)));
            Date notAfter = Date.from(now.plus(VALIDITY));
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject, serial, notBefore, notAfter, subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(keyPair.getPublic()))
                    .addExtension(Extension.subjectAlternativeName, false,
                            SubjectAltNames.toGeneralNames(subjectAltNames));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
            return new TlsMaterial(keyPair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot generate the node's certificate", e);
        }
    }
}
