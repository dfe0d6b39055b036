package io.samtykke.audit.verifier;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/** Verification of RFC 9162 inclusion (2.1.3.2) and consistency (2.1.4.2) proofs, step for step. */
public final class Proofs {

    private Proofs() {
    }

    /** True when {@code proof} shows the leaf with hash {@code leafHash} at {@code index} of the tree with {@code root}. */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || !isHash(leafHash) || !isHash(root) || !proof.stream().allMatch(Proofs::isHash)) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleTree.nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = MerkleTree.nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * True when {@code proof} shows that the tree of {@code fromSize} leaves with {@code fromRoot} is a prefix of the
     * tree of {@code toSize} leaves with {@code toRoot}. Equal sizes need equal roots and an empty proof; so does an
     * empty first tree, which every tree extends.
     */
    public static boolean verifyConsistency(long fromSize, long toSize, List<byte[]> proof, byte[] fromRoot, byte[] toRoot) {
        if (fromSize < 0 || toSize < fromSize || !proof.stream().allMatch(Proofs::isHash)) {
            return false;
        }
        if (fromSize == toSize) {
            return proof.isEmpty() && isHash(fromRoot) && MessageDigest.isEqual(fromRoot, toRoot);
        }
        if (fromSize == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty() || !isHash(fromRoot) || !isHash(toRoot)) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(fromSize) == 1) {
            path.add(0, fromRoot);
        }
        long fn = fromSize - 1;
        long sn = toSize - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleTree.nodeHash(c, fr);
                sr = MerkleTree.nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot) && sn == 0;
    }

    private static boolean isHash(byte[] hash) {
        return hash != null && hash.length == MerkleTree.HASH_BYTES;
    }
}
