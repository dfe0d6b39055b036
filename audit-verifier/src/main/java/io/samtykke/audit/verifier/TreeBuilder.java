package io.samtykke.audit.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Builds a log's tree left to right while keeping only its right edge: the complete subtrees that
 * cover the leaves so far (at most 63), so a million entries are hashed in constant memory. Each
 * subtree that a new leaf completes is reported once, so a log can store it.
 */
public final class TreeBuilder {

    private final List<NodeId> edgeNodes = new ArrayList<>();
    private final List<byte[]> edgeHashes = new ArrayList<>();
    private long size;

    /** An empty tree. */
    public TreeBuilder() {
    }

    /**
     * A tree of {@code size} leaves, continued from its right edge: the hashes of
     * {@link MerkleTree#subtrees subtrees(0, size)}, left to right.
     */
    public TreeBuilder(long size, List<byte[]> edge) {
        List<NodeId> nodes = size == 0 ? List.of() : MerkleTree.subtrees(0, size);
        if (nodes.size() != edge.size()) {
            throw new IllegalArgumentException("a tree of " + size + " leaves has " + nodes.size() + " edge subtrees, not "
                    + edge.size());
        }
        edgeNodes.addAll(nodes);
        edgeHashes.addAll(edge);
        this.size = size;
    }

    public long size() {
        return size;
    }

    public void append(byte[] leafHash) {
        append(leafHash, (node, hash) -> { });
    }

    /** Appends a leaf; {@code completed} hears of every subtree above level 0 it completes, lowest first. */
    public void append(byte[] leafHash, BiConsumer<NodeId, byte[]> completed) {
        if (leafHash.length != MerkleTree.HASH_BYTES) {
            throw new IllegalArgumentException("a leaf hash has " + MerkleTree.HASH_BYTES + " bytes");
        }
        NodeId node = new NodeId(0, size);
        byte[] hash = leafHash;
        while (!edgeNodes.isEmpty() && edgeNodes.get(edgeNodes.size() - 1).level() == node.level()) {
            int last = edgeNodes.size() - 1;
            hash = MerkleTree.nodeHash(edgeHashes.remove(last), hash);
            edgeNodes.remove(last);
            node = new NodeId(node.level() + 1, node.index() / 2);
            completed.accept(node, hash);
        }
        edgeNodes.add(node);
        edgeHashes.add(hash);
        size++;
    }

    /** MTH of the leaves so far. */
    public byte[] root() {
        return size == 0 ? MerkleTree.emptyRoot() : MerkleTree.fold(edgeHashes);
    }
}
