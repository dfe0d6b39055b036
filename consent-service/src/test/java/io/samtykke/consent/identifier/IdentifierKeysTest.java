package io.samtykke.consent.identifier;

import io.samtykke.consent.record.ConsentApi.IdentifierType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdentifierKeysTest {

    private static final byte[] MASTER = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void ciphertextRoundTripsAndHidesThePlainText() {
        IdentifierKeys keys = IdentifierKeys.derive(MASTER, "dantaxi");
        byte[] ct = keys.encrypt("anna@example.dk", "dantaxi/anna/EMAIL");
        assertFalse(new String(ct, StandardCharsets.ISO_8859_1).contains("anna"));
        assertEquals("anna@example.dk", keys.decrypt(ct, "dantaxi/anna/EMAIL"));
    }

    @Test
    void ciphertextMovedToAnotherRowDoesNotDecrypt() {
        IdentifierKeys keys = IdentifierKeys.derive(MASTER, "dantaxi");
        byte[] ct = keys.encrypt("anna@example.dk", "dantaxi/anna/EMAIL");
        assertThrows(IllegalStateException.class, () -> keys.decrypt(ct, "dantaxi/bob/EMAIL"));
    }

    @Test
    void blindIndexIsStablePerTenantAndDiffersAcrossTenants() {
        IdentifierKeys a = IdentifierKeys.derive(MASTER, "tenant-a");
        IdentifierKeys b = IdentifierKeys.derive(MASTER, "tenant-b");
        assertArrayEquals(a.blindIndex("EMAIL", "anna@example.dk"), a.blindIndex("EMAIL", "anna@example.dk"));
        assertFalse(Arrays.equals(a.blindIndex("EMAIL", "anna@example.dk"), b.blindIndex("EMAIL", "anna@example.dk")));
    }

    @Test
    void emailsAreMatchedRegardlessOfCaseAndSpaces() {
        assertEquals("anna@example.dk", IdentifierStore.normalize(IdentifierType.EMAIL, "  Anna@Example.DK "));
        assertEquals("+4512345678", IdentifierStore.normalize(IdentifierType.PHONE, "+45 12 34-56 78"));
    }
}
