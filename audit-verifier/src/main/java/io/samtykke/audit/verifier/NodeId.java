package io.samtykke.audit.verifier;

/**
 * A complete subtree of a log: the {@code 2^level} leaves from {@code index * 2^level}. Level 0 is a
 * leaf. Its hash never changes once the log holds all its leaves, so it can be stored.
 */
public record NodeId(int level, long index) {

    public NodeId {
        if (level < 0 || level > 62 || index < 0) {
            throw new IllegalArgumentException("no node at level " + level + ", index " + index);
        }
    }

    public long size() {
        return 1L << level;
    }

    /** The first leaf below this node. */
    public long start() {
        return index << level;
    }

    /** One past the last leaf below this node. */
    public long end() {
        return start() + size();
    }
}
