package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Ed25519 keys against the published examples of RFC 8032 and RFC 8410. */
class Ed25519KeysTest {

    /** RFC 8410 section 10.3's private key; section 10.1 gives its public key. */
    static final String RFC8410_PEM = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
            -----END PRIVATE KEY-----
            """;
    static final String RFC8410_PUBLIC_SPKI = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";

    @Test
    void theSeedOfRfc8032sFirstTestVectorGivesItsPublicKey() {
        KeyPair keys = Ed25519Keys.fromSeed(HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HexFormat.of().formatHex(Ed25519Keys.raw(keys.getPublic())));
    }

    @Test
    void rfc8410sPemKeyReadsWithItsPublicKeyAlsoWhenPastedOnOneLine() {
        for (String pem : new String[] {RFC8410_PEM, RFC8410_PEM.replace("\n", " "), RFC8410_PEM.replace("\n", "")}) {
            KeyPair keys = Ed25519Keys.fromPem(pem);
            assertEquals(RFC8410_PUBLIC_SPKI, Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()), pem);
            assertEquals(RFC8410_PEM, Ed25519Keys.toPem(keys.getPrivate()));
        }
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.fromPem(RFC8410_PEM.replace("PRIVATE", "PUBLIC")));
    }

    @Test
    void aRawPublicKeyRoundTripsThroughItsSubjectPublicKeyInfo() {
        byte[] raw = Base64.getDecoder().decode(RFC8410_PUBLIC_SPKI);
        raw = java.util.Arrays.copyOfRange(raw, raw.length - 32, raw.length);
        assertEquals(RFC8410_PUBLIC_SPKI, Base64.getEncoder().encodeToString(Ed25519Keys.publicKey(raw).getEncoded()));
        assertArrayEquals(raw, Ed25519Keys.raw(Ed25519Keys.publicKey(raw)));
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.publicKey(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.fromSeed(new byte[33]));
    }
}
