package io.samtykke.audit.verifier;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a consent receipt from audit-service: its {@code proof} member carries the record's entry
 * bytes, an inclusion proof and the signed checkpoint it leads to, and the receipt's own fields must
 * say what the entry bytes say.
 */
public final class ReceiptVerifier {

    private ReceiptVerifier() {
    }

    /** The entry the receipt is proven to be in the log as, or why it is not. */
    public static LogEntry verify(Map<String, Object> receipt, NoteKey key) throws VerificationException {
        if (!(receipt.get("proof") instanceof Map<?, ?> proof)) {
            throw new VerificationException("the receipt carries no proof yet: its record is not in a checkpoint; ask again"
                    + " in a second");
        }
        if (!(proof.get("checkpoint") instanceof String note)) {
            throw new VerificationException("the receipt's proof carries no checkpoint");
        }
        Checkpoint checkpoint = Checkpoint.parse(SignedNote.open(note, key));
        if (!checkpoint.origin().equals(key.name())) {
            throw new VerificationException("the checkpoint is of log " + checkpoint.origin() + ", the key of " + key.name());
        }
        byte[] bytes = ExportVerifier.base64(proof.get("entry"), "the proof's entry");
        LogEntry entry = LogEntry.parse(bytes);
        if (!(proof.get("leafIndex") instanceof Long index) || index != entry.seq()) {
            throw new VerificationException("the proof's leafIndex " + proof.get("leafIndex") + " is not the entry's seq "
                    + entry.seq());
        }
        if (!(proof.get("treeSize") instanceof Long size) || size != checkpoint.size()) {
            throw new VerificationException("the proof's treeSize " + proof.get("treeSize") + " is not the checkpoint's size "
                    + checkpoint.size());
        }
        List<byte[]> path = new ArrayList<>();
        if (!(proof.get("inclusionProof") instanceof List<?> hashes)) {
            throw new VerificationException("the proof carries no inclusionProof");
        }
        for (Object h : hashes) {
            path.add(ExportVerifier.base64(h, "an inclusion proof hash"));
        }
        if (!Proofs.verifyInclusion(index, size, MerkleTree.leafHash(bytes), path, checkpoint.rootHash())) {
            throw new VerificationException("the record is not in the log: its inclusion proof does not lead to the"
                    + " checkpoint's root");
        }
        if (!Objects.equals(receipt.get("consentReceiptID"), entry.eventId().toString())) {
            throw new VerificationException("consentReceiptID " + receipt.get("consentReceiptID") + " is not the entry's event "
                    + entry.eventId());
        }
        try {
            if (!(receipt.get("consentTimestamp") instanceof String t) || !Instant.parse(t).equals(entry.time())) {
                throw new VerificationException("consentTimestamp " + receipt.get("consentTimestamp") + " is not the entry's time "
                        + entry.time());
            }
        } catch (DateTimeParseException e) {
            throw new VerificationException("consentTimestamp is not an RFC 3339 time");
        }
        if (!Objects.equals(purpose(receipt), entry.purpose())) {
            throw new VerificationException("the receipt's purpose " + purpose(receipt) + " is not the entry's " + entry.purpose());
        }
        if (receipt.get("event") instanceof Map<?, ?> event && entry.data() instanceof Map<?, ?> data
                && !LogEntry.isSealedOrErased(data.get("state")) && !Objects.equals(event.get("state"), data.get("state"))) {
            throw new VerificationException("the receipt's state " + event.get("state") + " is not the entry's " + data.get("state"));
        }
        return entry;
    }

    private static Object purpose(Map<String, Object> receipt) {
        if (receipt.get("services") instanceof List<?> services && !services.isEmpty()
                && services.get(0) instanceof Map<?, ?> service && service.get("purposes") instanceof List<?> purposes
                && !purposes.isEmpty() && purposes.get(0) instanceof Map<?, ?> purpose) {
            return purpose.get("purpose");
        }
        return null;
    }
}
