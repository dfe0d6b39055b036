package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.MerkleTree;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.audit.verifier.Proofs;
import io.samtykke.audit.verifier.SignedNote;
import io.samtykke.contract.ConsentState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed checkpoints of each tenant's Merkle tree, and the proofs an auditor checks against them. */
@QuarkusTest
class CheckpointAndProofTest extends TenantTest {

    @Test
    void aSignedCheckpointSoonCoversNewEntriesAndItsRootIsTheEntriesTreeHash() throws Exception {
        for (int i = 1; i <= 5; i++) {
            Events.send(Events.consent(auditor.tenant, "anna", "newsletter", i % 2 == 1 ? ConsentState.GRANTED : ConsentState.WITHDRAWN, i));
        }
        List<Map<String, Object>> entries = auditor.awaitEntries(5);
        // the one-second target is measured in bench/ (bench/run-audit.sh); here the checkpoint must come within 5 s
        Checkpoint checkpoint = auditor.awaitCheckpoint(5);

        NoteKey key = auditor.publicKey();
        assertEquals("samtykke.example/audit/" + auditor.tenant, key.name(), "the key name is the log's origin");
        assertEquals(key.name(), checkpoint.origin());
        assertEquals(5, checkpoint.size());
        List<byte[]> leaves = entries.stream().map(e -> MerkleTree.leafHash(Base64.getDecoder().decode((String) e.get("entry")))).toList();
        assertArrayEquals(MerkleTree.root(leaves), checkpoint.rootHash(), "anyone can recompute the root from the entry bytes");
    }

    @Test
    void everyEntryIsProvenInTheTreeByIndexOrByEventId() {
        for (int i = 1; i <= 11; i++) {
            Events.send(Events.consent(auditor.tenant, "s" + (i % 3), "newsletter", ConsentState.GRANTED, i / 3 + 1));
        }
        List<Map<String, Object>> entries = auditor.awaitEntries(11);
        Checkpoint checkpoint = auditor.awaitCheckpoint(11);
        for (Map<String, Object> entry : entries) {
            int seq = (Integer) entry.get("seq");
            byte[] leaf = MerkleTree.leafHash(Base64.getDecoder().decode((String) entry.get("entry")));
            JsonPath byIndex = auditor.request().queryParam("index", seq).queryParam("treeSize", 11).get("/v1/proofs/inclusion")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(Base64.getEncoder().encodeToString(leaf), byIndex.getString("leafHash"));
            assertTrue(Proofs.verifyInclusion(seq, 11, leaf, hashes(byIndex), checkpoint.rootHash()), "entry " + seq);
            JsonPath byEvent = auditor.request().queryParam("eventId", entry.get("eventId")).get("/v1/proofs/inclusion")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(seq, byEvent.getInt("leafIndex"));
            assertEquals(byIndex.getList("hashes"), byEvent.getList("hashes"));
        }
        Map<String, Object> one = auditor.request().get("/v1/entries/4").then().statusCode(200).extract().jsonPath().getMap("");
        assertEquals(entries.get(4), one, "an entry by its index is the entry of the list");
    }

    @Test
    void everyCheckpointIsStoredServedBySizeAndConsistentWithTheLatest() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3 + round; i++) {
                Events.send(Events.consent(auditor.tenant, "r" + round + "-" + i, "newsletter", ConsentState.GRANTED, 1));
            }
            auditor.awaitCheckpoint(switch (round) { case 0 -> 3; case 1 -> 7; default -> 12; });
        }
        Checkpoint latest = auditor.checkpoint();
        assertEquals(12, latest.size());
        NoteKey key = auditor.publicKey();

        List<Long> sizes = new ArrayList<>();
        try (Connection c = Auditor.DATABASE.connect();
             PreparedStatement s = c.prepareStatement("select tree_size from audit_checkpoint where tenant_id = ? order by tree_size")) {
            s.setString(1, auditor.tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    sizes.add(rs.getLong(1));
                }
            }
        }
        assertTrue(sizes.size() >= 3 && sizes.containsAll(List.of(3L, 7L, 12L)), "stored checkpoints " + sizes);
        for (long size : sizes) {
            String note = auditor.request().queryParam("size", size).get("/v1/checkpoint").then().statusCode(200)
                    .contentType(containsString("text/plain")).extract().asString();
            Checkpoint older = Checkpoint.parse(SignedNote.open(note, key));
            assertEquals(size, older.size());
            JsonPath proof = auditor.request().queryParam("from", size).get("/v1/proofs/consistency").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(12, proof.getInt("toSize"));
            assertTrue(Proofs.verifyConsistency(size, 12, hashes(proof), older.rootHash(), latest.rootHash()),
                    "checkpoint " + size + " is a prefix of the latest");
        }
        auditor.request().queryParam("size", 13).get("/v1/checkpoint").then().statusCode(404)
                .body("type", equalTo("https://samtykke.io/problems/not-found"));
    }

    @Test
    void aLargerLogStoresEachCompleteSubtreeOnceAndProvesFromThem() throws Exception {
        int n = 300;
        for (int i = 0; i < n; i++) {
            Events.send(Events.consent(auditor.tenant, "p" + i, "newsletter", ConsentState.GRANTED, 1));
        }
        Checkpoint checkpoint = auditor.awaitCheckpoint(n);
        assertEquals(n, checkpoint.size());
        try (Connection c = Auditor.DATABASE.connect();
             PreparedStatement s = c.prepareStatement("select count(*) from merkle_node where tenant_id = ?")) {
            s.setString(1, auditor.tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertEquals(n - Integer.bitCount(n), rs.getInt(1), "a tree of n leaves has n - popcount(n) complete subtrees above them");
            }
        }
        byte[] leaf = Base64.getDecoder().decode(auditor.request().get("/v1/entries/257").then().statusCode(200)
                .extract().jsonPath().getString("leafHash"));
        JsonPath proof = auditor.request().queryParam("index", 257).get("/v1/proofs/inclusion").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(n, proof.getInt("treeSize"));
        assertTrue(Proofs.verifyInclusion(257, n, leaf, hashes(proof), checkpoint.rootHash()));
        JsonPath consistency = auditor.request().queryParam("from", 1).queryParam("to", n).get("/v1/proofs/consistency")
                .then().statusCode(200).extract().jsonPath();
        byte[] first = Base64.getDecoder().decode(auditor.request().get("/v1/entries/0").then().extract().jsonPath().getString("leafHash"));
        assertTrue(Proofs.verifyConsistency(1, n, hashes(consistency), first, checkpoint.rootHash()));
    }

    @Test
    void anEmptyLogHasTheSignedCheckpointOfTheEmptyTree() throws Exception {
        Checkpoint empty = auditor.checkpoint();
        assertEquals(0, empty.size());
        assertArrayEquals(MerkleTree.emptyRoot(), empty.rootHash());
        assertEquals(auditor.checkpointNote(), auditor.request().queryParam("size", 0).get("/v1/checkpoint").then().statusCode(200)
                .extract().asString());
    }

    @Test
    void proofsBeyondTheLatestCheckpointOrWithBadParametersAreRefused() {
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(1);
        for (Map<String, Object> query : List.of(Map.<String, Object>of("index", 0, "treeSize", 2), Map.<String, Object>of("index", 1),
                Map.<String, Object>of("index", "x"), Map.<String, Object>of(), Map.<String, Object>of("index", 0, "eventId", "nope"))) {
            auditor.request().queryParams(query).get("/v1/proofs/inclusion").then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("https://samtykke.io/problems/validation"));
        }
        auditor.request().queryParam("index", 0).queryParam("treeSize", 2).get("/v1/proofs/inclusion").then()
                .body("errors.pointer", hasItem("/query/treeSize"))
                .body("detail", containsString("beyond the latest checkpoint, of size 1"));
        for (Map<String, Object> query : List.of(Map.<String, Object>of("from", 0), Map.<String, Object>of("from", 2),
                Map.<String, Object>of("from", 1, "to", 3), Map.<String, Object>of())) {
            auditor.request().queryParams(query).get("/v1/proofs/consistency").then().statusCode(400);
        }
        assertEquals(0, auditor.request().queryParam("from", 1).get("/v1/proofs/consistency").then().statusCode(200)
                .extract().jsonPath().getList("hashes").size(), "equal sizes: an empty proof");
    }

    static List<byte[]> hashes(JsonPath proof) {
        return proof.getList("hashes", String.class).stream().map(h -> Base64.getDecoder().decode(h)).toList();
    }
}
