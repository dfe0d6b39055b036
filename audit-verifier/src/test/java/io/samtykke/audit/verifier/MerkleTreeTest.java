package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tree hash and proofs against known answers: the RFC 6962 test vectors of the Certificate
 * Transparency reference implementation (as published in github.com/transparency-dev/merkle, which
 * checks them against real CT logs), and a literal recursive reading of RFC 9162 for every size up
 * to 130 and every index.
 */
class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The eight leaf inputs of the CT test vectors. */
    private static final List<byte[]> CT_LEAVES = List.of(hex(""), hex("00"), hex("10"), hex("2021"), hex("3031"),
            hex("40414243"), hex("5051525354555657"), hex("606162636465666768696a6b6c6d6e6f"));

    /** MTH of the first 1..8 CT leaves. */
    private static final List<String> CT_ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void theEmptyTreeHashesToSha256OfNothing() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", HEX.formatHex(MerkleTree.emptyRoot()));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HEX.formatHex(new TreeBuilder().root()));
    }

    @Test
    void rootsMatchTheCertificateTransparencyTestVectors() {
        for (int n = 1; n <= 8; n++) {
            List<byte[]> leafHashes = CT_LEAVES.subList(0, n).stream().map(MerkleTree::leafHash).toList();
            assertEquals(CT_ROOTS.get(n - 1), HEX.formatHex(MerkleTree.root(leafHashes)), "root of " + n + " leaves");
        }
    }

    /** PATH(index, size) of the CT test vectors: the proof's hashes, space-separated (none for a one-leaf tree). */
    @ParameterizedTest(name = "PATH({0}, {1})")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            0 | 8 | 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4
            5 | 8 | bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
            2 | 3 | fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125
            1 | 5 | 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b
            0 | 1 | none
            """)
    void inclusionProofsMatchTheCertificateTransparencyTestVectors(int index, int size, String expected) {
        Map<NodeId, byte[]> store = completeSubtrees(CT_LEAVES.subList(0, size));
        List<byte[]> proof = ProofPlan.inclusion(index, size).hashes(store::get);
        assertEquals(hashes(expected), proof.stream().map(HEX::formatHex).toList(), "PATH(" + index + ", " + size + ")");
        assertTrue(Proofs.verifyInclusion(index, size, MerkleTree.leafHash(CT_LEAVES.get(index)), proof,
                hex(CT_ROOTS.get(size - 1))));
    }

    /** PROOF(from, to) of the CT test vectors: the proof's hashes, space-separated (none between equal sizes). */
    @ParameterizedTest(name = "PROOF({0}, {1})")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            1 | 8 | 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4
            6 | 8 | 0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
            2 | 5 | 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b
            6 | 7 | 0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
            1 | 1 | none
            """)
    void consistencyProofsMatchTheCertificateTransparencyTestVectors(int from, int to, String expected) {
        Map<NodeId, byte[]> store = completeSubtrees(CT_LEAVES.subList(0, to));
        List<byte[]> proof = ProofPlan.consistency(from, to).hashes(store::get);
        assertEquals(hashes(expected), proof.stream().map(HEX::formatHex).toList(), "PROOF(" + from + ", " + to + ")");
        assertTrue(Proofs.verifyConsistency(from, to, proof, hex(CT_ROOTS.get(from - 1)), hex(CT_ROOTS.get(to - 1))));
    }

    private static List<String> hashes(String spaceSeparated) {
        return spaceSeparated == null ? List.of() : List.of(spaceSeparated.split(" "));
    }

    @Test
    void rootsAndProofsEqualALiteralReadingOfRfc9162ForEverySizeUpTo130() {
        List<byte[]> data = NaiveRfc9162.leaves(130);
        for (int n = 1; n <= data.size(); n++) {
            List<byte[]> d = data.subList(0, n);
            Map<NodeId, byte[]> store = completeSubtrees(d);
            assertArrayEquals(NaiveRfc9162.mth(d), MerkleTree.root(d.stream().map(MerkleTree::leafHash).toList()), "root " + n);
            assertArrayEquals(NaiveRfc9162.mth(d), ProofPlan.root(n).hashes(store::get).get(0), "root from stored nodes " + n);
            for (int m = 0; m < n; m++) {
                assertSameHashes(NaiveRfc9162.path(m, d), ProofPlan.inclusion(m, n).hashes(store::get), "PATH(" + m + ", " + n + ")");
            }
            for (int m = 1; m <= n; m++) {
                assertSameHashes(NaiveRfc9162.proof(m, d), ProofPlan.consistency(m, n).hashes(store::get), "PROOF(" + m + ", " + n + ")");
            }
        }
    }

    @Test
    void everyGeneratedProofVerifiesAndEveryCorruptionOfItFails() {
        List<byte[]> data = NaiveRfc9162.leaves(70);
        Map<NodeId, byte[]> store = completeSubtrees(data);
        for (int n = 1; n <= data.size(); n++) {
            byte[] root = ProofPlan.root(n).hashes(store::get).get(0);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = ProofPlan.inclusion(m, n).hashes(store::get);
                byte[] leaf = MerkleTree.leafHash(data.get(m));
                assertTrue(Proofs.verifyInclusion(m, n, leaf, proof, root), "inclusion " + m + " of " + n);
                assertFalse(Proofs.verifyInclusion(m, n, MerkleTree.leafHash(data.get((m + 1) % 70)), proof, root), "other leaf");
                if (m + 1 < n) {
                    assertFalse(Proofs.verifyInclusion(m + 1, n, leaf, proof, root), "wrong index " + m + " of " + n);
                }
                assertFalse(Proofs.verifyInclusion(m, 2L * n, leaf, proof, root), "double the size " + m + " of " + n);
                for (List<byte[]> bad : corruptions(proof)) {
                    assertFalse(Proofs.verifyInclusion(m, n, leaf, bad, root), "corrupted inclusion " + m + " of " + n);
                }
            }
            for (int m = 1; m < n; m++) {
                byte[] oldRoot = ProofPlan.root(m).hashes(store::get).get(0);
                List<byte[]> proof = ProofPlan.consistency(m, n).hashes(store::get);
                assertTrue(Proofs.verifyConsistency(m, n, proof, oldRoot, root), "consistency " + m + " to " + n);
                assertFalse(Proofs.verifyConsistency(m, n, proof, root, oldRoot), "swapped roots " + m + " to " + n);
                assertFalse(Proofs.verifyConsistency(m, n, List.of(), oldRoot, root), "empty proof " + m + " to " + n);
                if (m + 1 < n) {
                    assertFalse(Proofs.verifyConsistency(m + 1, n, proof, oldRoot, root), "wrong old size " + m + " to " + n);
                }
                for (List<byte[]> bad : corruptions(proof)) {
                    assertFalse(Proofs.verifyConsistency(m, n, bad, oldRoot, root), "corrupted consistency " + m + " to " + n);
                }
            }
        }
    }

    @Test
    void theTreeBuilderReportsEachCompletedSubtreeOnceAndContinuesFromItsEdge() {
        List<byte[]> data = NaiveRfc9162.leaves(100);
        Map<NodeId, byte[]> expected = completeSubtrees(data);
        Map<NodeId, byte[]> reported = new HashMap<>();
        TreeBuilder first = new TreeBuilder();
        for (int i = 0; i < 37; i++) {
            reported.put(new NodeId(0, i), MerkleTree.leafHash(data.get(i)));
            first.append(MerkleTree.leafHash(data.get(i)), (node, hash) -> assertTrue(reported.put(node, hash) == null, "twice: " + node));
        }
        List<byte[]> edge = MerkleTree.subtrees(0, 37).stream().map(reported::get).toList();
        TreeBuilder continued = new TreeBuilder(37, edge);
        assertArrayEquals(first.root(), continued.root());
        for (int i = 37; i < 100; i++) {
            reported.put(new NodeId(0, i), MerkleTree.leafHash(data.get(i)));
            continued.append(MerkleTree.leafHash(data.get(i)), (node, hash) -> assertTrue(reported.put(node, hash) == null, "twice: " + node));
        }
        assertEquals(expected.keySet(), reported.keySet(), "every complete subtree of 100 leaves, and nothing else");
        expected.forEach((node, hash) -> assertArrayEquals(hash, reported.get(node), node.toString()));
        assertArrayEquals(NaiveRfc9162.mth(data), continued.root());
    }

    @Test
    void impossibleProofsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProofPlan.inclusion(5, 5));
        assertThrows(IllegalArgumentException.class, () -> ProofPlan.consistency(0, 5));
        assertThrows(IllegalArgumentException.class, () -> ProofPlan.consistency(6, 5));
        assertEquals(List.of(), ProofPlan.consistency(5, 5).ranges(), "equal sizes: an empty proof");
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.subtrees(3, 7), "not a range of the recursion");
    }

    /** Every complete, aligned subtree of the leaves, hashed the naive way: what a log stores. */
    static Map<NodeId, byte[]> completeSubtrees(List<byte[]> data) {
        Map<NodeId, byte[]> store = new HashMap<>();
        for (int level = 0; (1 << level) <= data.size(); level++) {
            int size = 1 << level;
            for (int index = 0; (index + 1) * size <= data.size(); index++) {
                store.put(new NodeId(level, index), NaiveRfc9162.mth(data.subList(index * size, (index + 1) * size)));
            }
        }
        return store;
    }

    private static List<List<byte[]>> corruptions(List<byte[]> proof) {
        List<List<byte[]>> bad = new ArrayList<>();
        for (int i = 0; i < proof.size(); i++) {
            List<byte[]> flipped = new ArrayList<>(proof);
            byte[] h = proof.get(i).clone();
            h[i % h.length] ^= 0x10;
            flipped.set(i, h);
            bad.add(flipped);
        }
        if (!proof.isEmpty()) {
            bad.add(proof.subList(0, proof.size() - 1));
            List<byte[]> extra = new ArrayList<>(proof);
            extra.add(proof.get(0));
            bad.add(extra);
            List<byte[]> prepended = new ArrayList<>(proof);
            prepended.add(0, proof.get(proof.size() - 1));
            bad.add(prepended);
        }
        return bad;
    }

    private static void assertSameHashes(List<byte[]> expected, List<byte[]> actual, String what) {
        assertEquals(expected.stream().map(HEX::formatHex).toList(), actual.stream().map(HEX::formatHex).toList(), what);
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }
}
