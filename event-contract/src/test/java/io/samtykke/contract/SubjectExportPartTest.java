package io.samtykke.contract;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.samtykke.contract.SchemaValidation.assertValid;
import static io.samtykke.contract.SchemaValidation.names;
import static io.samtykke.contract.SchemaValidation.required;
import static io.samtykke.contract.SchemaValidation.schemaFile;
import static io.samtykke.contract.SchemaValidation.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectExportPartTest {

    private static final UUID REQUEST = UUID.fromString("7e3f5c9a-4d6f-4a0b-9c2d-3e4f5a6b7c8d");
    private static final Instant AT = Instant.parse("2026-03-02T09:15:00Z");

    @Test
    void aSmallPartIsOneValidChunkThatJoinsBackToTheSameBytes() {
        byte[] json = "{\"preferences\":{\"topics\":[\"rides\"]}}".getBytes(StandardCharsets.UTF_8);
        List<SubjectExportPart> chunks = SubjectExportPart.split("nabogo", "user-42", REQUEST, "preference-service", json, AT);
        assertEquals(1, chunks.size());
        assertValid(Schemas.SUBJECT_EXPORT_PART, chunks.get(0));
        assertEquals(required(schemaFile(Schemas.SUBJECT_EXPORT_PART)), names(tree(chunks.get(0))));
        assertEquals(names(schemaFile(Schemas.SUBJECT_EXPORT_PART).get("properties")), names(tree(chunks.get(0))));
        assertArrayEquals(json, SubjectExportPart.join(chunks));
        assertEquals(Schemas.SUBJECT_EXPORT_PART, Schemas.forRecord(Topics.SUBJECT_EVENTS, SubjectExportPart.TYPE));
    }

    @Test
    void aLargePartIsCutIntoChunksUnderTheLimitWithIdsThatFollowFromTheContent() {
        byte[] json = new byte[1_500_000];
        new Random(7).nextBytes(json); // incompressible: gzip cannot shrink it below the chunk limit
        List<SubjectExportPart> chunks = SubjectExportPart.split("nabogo", "user-42", REQUEST, "audit-service", json, AT);
        assertTrue(chunks.size() >= 8, "chunks: " + chunks.size());
        for (SubjectExportPart c : chunks) {
            assertTrue(c.data().length() <= SubjectExportPart.CHUNK_CHARS);
            assertValid(Schemas.SUBJECT_EXPORT_PART, c);
        }
        assertArrayEquals(json, SubjectExportPart.join(chunks));
        List<SubjectExportPart> again = SubjectExportPart.split("nabogo", "user-42", REQUEST, "audit-service", json, AT);
        assertEquals(chunks.stream().map(SubjectExportPart::eventId).toList(), again.stream().map(SubjectExportPart::eventId).toList());
        json[0]++;
        assertNotEquals(chunks.get(0).partId(),
                SubjectExportPart.split("nabogo", "user-42", REQUEST, "audit-service", json, AT).get(0).partId());
    }

    @Test
    void aMissingOrTamperedChunkIsRefused() {
        byte[] json = new byte[600_000];
        new Random(3).nextBytes(json);
        List<SubjectExportPart> chunks = SubjectExportPart.split("nabogo", "user-42", REQUEST, "audit-service", json, AT);
        List<SubjectExportPart> missing = new ArrayList<>(chunks);
        missing.remove(1);
        assertThrows(IllegalArgumentException.class, () -> SubjectExportPart.join(missing));
        List<SubjectExportPart> tampered = new ArrayList<>(chunks);
        SubjectExportPart c = chunks.get(0);
        tampered.set(0, new SubjectExportPart(c.eventId(), c.tenantId(), c.subjectId(), c.requestId(), c.service(), c.partId(),
                c.chunk(), c.chunks(), c.encoding(), "0".repeat(64), c.size(), c.data(), c.producedAt()));
        assertThrows(IllegalArgumentException.class, () -> SubjectExportPart.join(tampered));
    }
}
