package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.MerkleTree;
import io.samtykke.audit.verifier.Proofs;
import io.samtykke.contract.ConsentState;
import io.samtykke.testsupport.Tokens;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports stream the log for the offline verifier, and any change, removal or reordering of stored
 * entries, even by someone who can switch the database's triggers off, is caught.
 */
@QuarkusTest
class ExportTest {

    /** 20 entries: three export pages at the test page size of 7. */
    private static Auditor logOf20() {
        Auditor auditor = Auditor.newTenant();
        for (int i = 0; i < 20; i++) {
            Events.send(Events.consent(auditor.tenant, "s" + (i % 4), i % 2 == 0 ? "newsletter" : "sms-offers",
                    i % 3 == 0 ? ConsentState.WITHDRAWN : ConsentState.GRANTED, i / 4 + 1));
        }
        auditor.awaitEntries(20);
        auditor.awaitCheckpoint(20);
        return auditor;
    }

    @Test
    void aCompleteExportVerifiesOfflineAgainstItsCheckpointAndThePublicKey() {
        Auditor auditor = logOf20();
        var response = auditor.request().get("/v1/export").then().statusCode(200)
                .contentType(containsString("application/x-ndjson"))
                .header("Content-Disposition", containsString("audit-" + auditor.tenant + "-20.ndjson"))
                .extract();
        String export = response.asString();
        List<String> lines = export.lines().toList();
        assertEquals(21, lines.size(), "a header and 20 entries, one per line");
        JsonPath header = JsonPath.from(lines.get(0));
        assertEquals("samtykke-audit-export", header.getString("export"));
        assertEquals(20, header.getInt("treeSize"));
        assertTrue(header.getBoolean("complete"));
        assertEquals(auditor.checkpointNote(), header.getString("checkpoint"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19),
                lines.subList(1, 21).stream().map(l -> JsonPath.from(l).getInt("seq")).toList(), "in seq order across pages");

        ExportVerifier.Result result = auditor.verify(export, null);
        assertTrue(result.valid(), result.message());
        assertEquals(20, result.entries());
        ExportVerifier.Result againstServedCheckpoint = auditor.verify(export, auditor.checkpointNote());
        assertTrue(againstServedCheckpoint.valid(), againstServedCheckpoint.message());
    }

    @Test
    void aCsvExportVerifiesWithTheCheckpointBesideIt() {
        Auditor auditor = logOf20();
        String csv = auditor.request().queryParam("format", "csv").get("/v1/export").then().statusCode(200)
                .contentType(containsString("text/csv")).extract().asString();
        List<String> rows = csv.lines().toList();
        assertEquals(21, rows.size());
        assertTrue(rows.get(0).startsWith("seq,event_id,type,subject_id,purpose,event_time,received_at,erased,payload,entry,leaf_hash"),
                rows.get(0));
        assertTrue(rows.get(1).startsWith("0,"), rows.get(1));
        ExportVerifier.Result result = auditor.verify(csv, auditor.checkpointNote());
        assertTrue(result.valid(), result.message());
    }

    @Test
    void aFilteredExportCarriesAnInclusionProofPerEntry() {
        Auditor auditor = logOf20();
        String export = auditor.export(Map.of("subject", "s1"));
        List<String> lines = export.lines().toList();
        assertEquals(6, lines.size(), "a header and the 5 entries of s1");
        assertFalse(JsonPath.from(lines.get(0)).getBoolean("complete"));
        assertEquals("s1", JsonPath.from(lines.get(0)).getString("filter.subject"));
        assertEquals(auditor.entries(Map.of("subject", "s1")).getList("entries.seq"),
                lines.subList(1, 6).stream().map(l -> JsonPath.from(l).getInt("seq")).toList());
        ExportVerifier.Result result = auditor.verify(export, null);
        assertTrue(result.valid(), result.message());

        String sms = auditor.export(Map.of("purpose", "sms-offers", "format", "csv"));
        assertTrue(sms.lines().findFirst().orElseThrow().endsWith(",inclusion_proof"));
        assertTrue(auditor.verify(sms, auditor.checkpointNote()).valid());
    }

    @Test
    void anExportAtAnEarlierCheckpointHoldsOnlyTheEntriesItCovers() {
        Auditor auditor = Auditor.newTenant();
        for (int i = 1; i <= 3; i++) {
            Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, i));
        }
        auditor.awaitCheckpoint(3);
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 4));
        auditor.awaitCheckpoint(4);
        String export = auditor.export(Map.of("treeSize", 3));
        assertEquals(4, export.lines().count());
        assertTrue(auditor.verify(export, null).valid());
    }

    @Test
    void aChangedStoredEntryFailsVerificationInTheExportAndThroughTheApi() {
        Auditor auditor = logOf20();
        Checkpoint checkpoint = auditor.checkpoint();
        Tamper.entries(auditor.tenant, """
                update audit_entry set entry = convert_to(replace(convert_from(entry, 'UTF8'), '"source":"/samtykke/consent-service"',
                    '"source":"/samtykke/elsewhere"'), 'UTF8')
                where tenant_id = ? and seq = 7""");

        assertTheExportFails(auditor, startsWith("entry 7 (line 9): its entry bytes do not hash to its leafHash"));

        byte[] changed = Base64.getDecoder().decode(auditor.request().get("/v1/entries/7").then().statusCode(200)
                .extract().jsonPath().getString("entry"));
        JsonPath proof = auditor.request().queryParam("index", 7).get("/v1/proofs/inclusion").then().extract().jsonPath();
        assertFalse(Proofs.verifyInclusion(7, 20, MerkleTree.leafHash(changed), CheckpointAndProofTest.hashes(proof),
                checkpoint.rootHash()), "the changed entry's bytes are not what the signed tree holds");
    }

    @Test
    void aChangedEntryWithARecomputedLeafHashNoLongerHashesToTheSignedRoot() {
        Auditor auditor = logOf20();
        Tamper.entries(auditor.tenant, """
                update audit_entry set entry = convert_to(replace(convert_from(entry, 'UTF8'), '"source":"/samtykke/consent-service"',
                    '"source":"/samtykke/elsewhere"'), 'UTF8')
                where tenant_id = ? and seq = 7""");
        Tamper.entries(auditor.tenant, "update audit_entry set leaf_hash = sha256('\\x00'::bytea || entry) where tenant_id = ? and seq = 7");
        assertTheExportFails(auditor, containsString("do not hash to the checkpoint's root"));
    }

    @Test
    void aDeletedStoredEntryIsNamed() {
        Auditor auditor = logOf20();
        Tamper.entries(auditor.tenant, "delete from audit_entry where tenant_id = ? and seq = 12");
        assertTheExportFails(auditor, startsWith("entry 12 is missing"));
    }

    @Test
    void reorderedStoredEntriesAreNamed() {
        Auditor auditor = logOf20();
        // swap everything that distinguishes entries 3 and 4 except their seq, as a careful attacker would
        Tamper.entries(auditor.tenant, """
                update audit_entry a set entry = b.entry, leaf_hash = b.leaf_hash
                from audit_entry b where a.tenant_id = ? and b.tenant_id = a.tenant_id
                and ((a.seq = 3 and b.seq = 4) or (a.seq = 4 and b.seq = 3))""");
        assertTheExportFails(auditor, startsWith("entry 3 (line 5): the line says seq 3 but its entry bytes say 4"));
    }

    @Test
    void badExportRequestsAreRefused() {
        Auditor auditor = Auditor.newTenant();
        auditor.request().queryParam("format", "xml").get("/v1/export").then().statusCode(400)
                .contentType("application/problem+json").body("errors.pointer", hasItem("/query/format"));
        auditor.request().queryParam("treeSize", 99).get("/v1/export").then().statusCode(404)
                .body("type", equalTo("https://samtykke.io/problems/not-found"));
        auditor.request().queryParam("from", "yesterday").get("/v1/export").then().statusCode(400)
                .body("errors.pointer", hasItem("/query/from"));
        given().auth().oauth2(Tokens.forTests().mint(auditor.tenant, "someone", "app")).get("/v1/export").then().statusCode(403);
    }

    /** The offline verifier refuses the tenant's full export, saying {@code why}. */
    private static void assertTheExportFails(Auditor auditor, Matcher<String> why) {
        ExportVerifier.Result result = auditor.verify(auditor.export(Map.of()), null);
        assertFalse(result.valid());
        assertThat(result.message(), why);
    }
}
