package io.samtykke.audit.verifier;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tree hashes make up an RFC 9162 proof, in proof order, before any hash is read: each element
 * is a range of leaves whose MTH is one proof hash. A log reads the {@link #nodes} it needs in one go
 * and then {@link #hashes assembles} the proof, touching O(log n) stored subtrees, never the leaves.
 */
public record ProofPlan(List<Range> ranges) {

    /** MTH(D[start:end]) is one proof element. */
    public record Range(long start, long end) {

        public List<NodeId> subtrees() {
            return MerkleTree.subtrees(start, end);
        }
    }

    /** A stored subtree hash, or the reason there is none. */
    @FunctionalInterface
    public interface NodeHashes {
        byte[] hash(NodeId node);
    }

    /** PATH(index, D[0:size]), RFC 9162 section 2.1.3.1: the siblings from the leaf up to the root. */
    public static ProofPlan inclusion(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size);
        }
        List<Range> ranges = new ArrayList<>();
        path(index, 0, size, ranges);
        return new ProofPlan(List.copyOf(ranges));
    }

    /**
     * PROOF(from, D[0:to]), RFC 9162 section 2.1.4.1, for {@code 0 < from <= to}; empty when the sizes are equal.
     */
    public static ProofPlan consistency(long from, long to) {
        if (from <= 0 || from > to) {
            throw new IllegalArgumentException("no consistency proof from size " + from + " to size " + to);
        }
        List<Range> ranges = new ArrayList<>();
        if (from < to) {
            subproof(from, 0, to, true, ranges);
        }
        return new ProofPlan(List.copyOf(ranges));
    }

    /** MTH(D[0:size]) as a plan of one element. */
    public static ProofPlan root(long size) {
        return new ProofPlan(size == 0 ? List.of() : List.of(new Range(0, size)));
    }

    /** Every stored subtree the proof is made of. */
    public Set<NodeId> nodes() {
        Set<NodeId> nodes = new LinkedHashSet<>();
        ranges.forEach(r -> nodes.addAll(r.subtrees()));
        return nodes;
    }

    public List<byte[]> hashes(NodeHashes stored) {
        List<byte[]> hashes = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            hashes.add(MerkleTree.fold(r.subtrees().stream().map(stored::hash).toList()));
        }
        return hashes;
    }

    private static void path(long m, long lo, long hi, List<Range> out) {
        long n = hi - lo;
        if (n == 1) {
            return;
        }
        long k = MerkleTree.splitPoint(n);
        if (m < k) {
            path(m, lo, lo + k, out);
            out.add(new Range(lo + k, hi));
        } else {
            path(m - k, lo + k, hi, out);
            out.add(new Range(lo, lo + k));
        }
    }

    private static void subproof(long m, long lo, long hi, boolean complete, List<Range> out) {
        long n = hi - lo;
        if (m == n) {
            if (!complete) {
                out.add(new Range(lo, hi));
            }
            return;
        }
        long k = MerkleTree.splitPoint(n);
        if (m <= k) {
            subproof(m, lo, lo + k, complete, out);
            out.add(new Range(lo + k, hi));
        } else {
            subproof(m - k, lo + k, hi, false, out);
            out.add(new Range(lo, lo + k));
        }
    }
}
