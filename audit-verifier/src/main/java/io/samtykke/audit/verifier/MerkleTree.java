package io.samtykke.audit.verifier;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree hash of RFC 9162 section 2.1 (the same as RFC 6962's): leaf hash
 * {@code SHA-256(0x00 || entry)}, interior node {@code SHA-256(0x01 || left || right)}, the tree of
 * {@code n} leaves split at the largest power of two below {@code n}, never padded.
 *
 * <p>Every tree hash over a range of leaves that the RFC's recursion visits is the right fold of
 * complete, aligned subtrees ({@link #subtrees}); a log that stores those can answer for any size.
 */
public final class MerkleTree {

    public static final int HASH_BYTES = 32;

    private MerkleTree() {
    }

    /** MTH({}) = SHA-256 of nothing. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    public static byte[] leafHash(byte[] entry) {
        MessageDigest d = sha256();
        d.update((byte) 0x00);
        d.update(entry);
        return d.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest d = sha256();
        d.update((byte) 0x01);
        d.update(left);
        d.update(right);
        return d.digest();
    }

    /**
     * The complete subtrees whose right fold is MTH(D[start:end]), left to right. {@code start} must be a
     * multiple of a power of two at least {@code end - start}, as every range of the RFC's recursion is.
     */
    public static List<NodeId> subtrees(long start, long end) {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("empty or negative range [" + start + ", " + end + ")");
        }
        List<NodeId> nodes = new ArrayList<>();
        long lo = start;
        while (lo < end) {
            long size = Long.highestOneBit(end - lo);
            if (lo % size != 0) {
                throw new IllegalArgumentException("range [" + start + ", " + end + ") is not aligned to its size");
            }
            nodes.add(new NodeId(Long.numberOfTrailingZeros(size), lo / size));
            lo += size;
        }
        return nodes;
    }

    /** The tree hash of subtrees given left to right, as {@link #subtrees} lists them. */
    public static byte[] fold(List<byte[]> subtreeHashes) {
        if (subtreeHashes.isEmpty()) {
            throw new IllegalArgumentException("nothing to fold");
        }
        byte[] hash = subtreeHashes.get(subtreeHashes.size() - 1);
        for (int i = subtreeHashes.size() - 2; i >= 0; i--) {
            hash = nodeHash(subtreeHashes.get(i), hash);
        }
        return hash;
    }

    /** The root of a tree held in memory as its leaf hashes. */
    public static byte[] root(List<byte[]> leafHashes) {
        TreeBuilder builder = new TreeBuilder();
        leafHashes.forEach(builder::append);
        return builder.root();
    }

    /** The largest power of two strictly below {@code n} (n at least 2): the RFC's split point. */
    static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
