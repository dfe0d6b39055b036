package io.samtykke.audit.verifier;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys with the JDK's own implementation (Java 15+): raw 32-byte public keys as RFC 8032
 * and signed notes use them, and private keys as PKCS#8 PEM, the form {@code openssl genpkey
 * -algorithm ed25519} writes. Bouncy Castle does what the JDK has no API for: the public key of a
 * private key, and a raw public key to and from its SubjectPublicKeyInfo (RFC 8410).
 */
public final class Ed25519Keys {

    /** id-Ed25519 (RFC 8410), without parameters. */
    private static final AlgorithmIdentifier ED25519 = new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112"));
    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519", e);
        }
    }

    /** The key pair of a 32-byte RFC 8032 private key (seed). */
    public static KeyPair fromSeed(byte[] seed) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 private key has 32 bytes");
        }
        try {
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
            return new KeyPair(publicKey(new Ed25519PrivateKeyParameters(seed).generatePublicKey().getEncoded()), privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519", e);
        }
    }

    /**
     * Reads a PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}) and derives its public key. The
     * base64 between the lines may be broken anywhere or not at all (a key pasted into one line reads too).
     */
    public static KeyPair fromPem(String pem) {
        String text = pem.strip();
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            throw new IllegalArgumentException("not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length()));
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            byte[] seed = ((EdECPrivateKey) key).getBytes()
                    .orElseThrow(() -> new IllegalArgumentException("the private key's bytes are not available"));
            return fromSeed(seed);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 private key", e);
        }
    }

    public static String toPem(PrivateKey key) {
        return PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded()) + "\n"
                + PEM_END + "\n";
    }

    /** The 32-byte RFC 8032 encoding of a public key. */
    public static byte[] raw(PublicKey key) {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
        if (!ED25519.equals(info.getAlgorithm()) || info.getPublicKeyData().getPadBits() != 0
                || info.getPublicKeyData().getOctets().length != 32) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return info.getPublicKeyData().getOctets();
    }

    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        try {
            byte[] der = new SubjectPublicKeyInfo(ED25519, raw).getEncoded();
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }
}
