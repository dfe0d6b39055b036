package io.samtykke.kit.crypto;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HkdfTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc5869TestCase1BasicSha256() {
        assertArrayEquals(HEX.parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                Hkdf.sha256(HEX.parseHex("000102030405060708090a0b0c"), HEX.parseHex("0b".repeat(22)),
                        HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42));
    }

    @Test
    void rfc5869TestCase2LongerInputsAndOutput() {
        assertArrayEquals(HEX.parseHex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                        + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
                Hkdf.sha256(range(0x60, 0xb0), range(0x00, 0x50), range(0xb0, 0x100), 82));
    }

    @Test
    void rfc5869TestCase3NoSaltNoInfo() {
        byte[] okm = HEX.parseHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        assertArrayEquals(okm, Hkdf.sha256(new byte[0], ikm, new byte[0], 42));
        // the short form (no salt, 32 bytes) is the first block of the same output
        assertArrayEquals(Arrays.copyOf(okm, 32), Hkdf.sha256(ikm, ""));
    }

    /** Pinned: the keys the services derived before HKDF moved to the kit; stored data depends on them. */
    @Test
    void shortFormKeepsTheKeysDerivedSoFar() {
        assertArrayEquals(HEX.parseHex("f949666ed36c93207ddaf345e956401d8d691e4541adbeafa0f3410a7500e9e2"),
                Hkdf.sha256(range(0, 32), "samtykke tenant acme"));
    }

    @Test
    void refusesLengthsHkdfCannotGive() {
        assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(new byte[0], new byte[32], new byte[0], 0));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(new byte[0], new byte[32], new byte[0], 255 * 32 + 1));
    }

    private static byte[] range(int from, int to) {
        byte[] bytes = new byte[to - from];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }
}
