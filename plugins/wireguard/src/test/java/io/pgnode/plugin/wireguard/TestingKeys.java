package io.pgnode.plugin.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Base64;

/**
 * WireGuard key pairs made by the JDK's X25519 (the curve WireGuard uses; {@code wg pubkey} derives the same public
 * key from the private one).
 *
 * @param privateKey base64, as {@code wg genkey} prints it
 * @param publicKey base64, as {@code wg pubkey} prints it
 */
record TestingKeys(String privateKey, String publicKey) {

    static TestingKeys generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
            return new TestingKeys(base64(scalar), base64(littleEndian(((XECPublicKey) pair.getPublic()).getU())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pre-shared key: 32 random bytes. */
    static String preSharedKey() {
        return generate().privateKey();
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] bigEndian = u.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
