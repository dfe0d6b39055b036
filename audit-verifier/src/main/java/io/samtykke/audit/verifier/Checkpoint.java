package io.samtykke.audit.verifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP tlog-checkpoint (v1.0.0) body: origin, tree size and base64 root hash, each line ending in
 * a newline, then optional extension lines. The signed note around it is {@link SignedNote}.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

    public Checkpoint {
        if (origin == null || origin.isEmpty() || origin.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a checkpoint's origin is one non-empty line");
        }
        if (size < 0) {
            throw new IllegalArgumentException("tree size " + size + " is negative");
        }
        if (rootHash.length != MerkleTree.HASH_BYTES) {
            throw new IllegalArgumentException("a root hash has " + MerkleTree.HASH_BYTES + " bytes");
        }
        rootHash = rootHash.clone();
        extensions = List.copyOf(extensions);
        for (String line : extensions) {
            if (line.isEmpty() || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("an extension line is one non-empty line");
            }
        }
    }

    public Checkpoint(String origin, long size, byte[] rootHash) {
        this(origin, size, rootHash, List.of());
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The note text that gets signed. */
    public String body() {
        StringBuilder body = new StringBuilder()
                .append(origin).append('\n')
                .append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
        extensions.forEach(line -> body.append(line).append('\n'));
        return body.toString();
    }

    /** Reads a checkpoint body strictly: decimal size without leading zeros, a 32-byte root in standard base64. */
    public static Checkpoint parse(String body) throws VerificationException {
        if (!body.endsWith("\n")) {
            throw new VerificationException("a checkpoint body ends with a newline");
        }
        List<String> lines = Arrays.asList(body.substring(0, body.length() - 1).split("\n", -1));
        if (lines.size() < 3) {
            throw new VerificationException("a checkpoint has an origin, a tree size and a root hash line");
        }
        String origin = lines.get(0);
        String size = lines.get(1);
        if (origin.isEmpty()) {
            throw new VerificationException("the checkpoint's origin line is empty");
        }
        if (!size.matches("0|[1-9][0-9]{0,17}")) {
            throw new VerificationException("the checkpoint's tree size '" + size + "' is not a decimal number");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines.get(2));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the checkpoint's root hash is not base64");
        }
        if (root.length != MerkleTree.HASH_BYTES || !Base64.getEncoder().encodeToString(root).equals(lines.get(2))) {
            throw new VerificationException("the checkpoint's root hash is not 32 bytes in standard base64");
        }
        List<String> extensions = new ArrayList<>(lines.subList(3, lines.size()));
        if (extensions.stream().anyMatch(String::isEmpty)) {
            throw new VerificationException("the checkpoint has an empty extension line");
        }
        return new Checkpoint(origin, Long.parseLong(size), root, extensions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.origin.equals(origin) && c.size == size && Arrays.equals(c.rootHash, rootHash)
                && c.extensions.equals(extensions);
    }

    @Override
    public int hashCode() {
        return origin.hashCode() * 31 + Long.hashCode(size) * 17 + Arrays.hashCode(rootHash);
    }

    @Override
    public String toString() {
        return origin + " @ " + size + " " + Base64.getEncoder().encodeToString(rootHash);
    }
}
