package io.samtykke.contract;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One chunk of one service's part of a person's export (GDPR Art. 15 access, Art. 20 portability), published on
 * {@link Topics#SUBJECT_EVENTS} with type {@link #TYPE} in answer to an {@link SubjectEventType#EXPORT_REQUESTED}
 * event. A part is a JSON document; it travels gzip-compressed and base64-encoded ({@link #ENCODING}), cut into chunks
 * of at most {@link #CHUNK_CHARS} characters so no record comes near Kafka's default 1 MB message limit, at most
 * {@link #MAX_CHUNKS} chunks (48 Mi characters of base64, a part of at most 36 MiB compressed). Everything needed to put a part together again is
 * in every chunk; the part's id follows from its content, so a part published twice (a redelivered request) has the
 * same chunk ids and consumers dedupe on them. The data is personal: audit-service logs only the metadata and a hash.
 * JSON Schema: {@code schemas/subject-export-part.v1.json}.
 *
 * @param eventId    the CloudEvents id: derived from partId and chunk
 * @param requestId  the data subject request the export answers
 * @param service    who produced the part, e.g. {@code preference-service}
 * @param partId     one publication of one part: all its chunks share it
 * @param chunk      1-based; also {@code ce_subjectseq}
 * @param chunks     how many chunks the part has
 * @param sha256     hex SHA-256 of the part's uncompressed JSON bytes
 * @param size       the length of the part's uncompressed JSON in bytes
 * @param data       this chunk's slice of the base64 of the gzip of the part's JSON
 */
public record SubjectExportPart(
        UUID eventId,
        String tenantId,
        String subjectId,
        UUID requestId,
        String service,
        UUID partId,
        int chunk,
        int chunks,
        String encoding,
        String sha256,
        long size,
        String data,
        Instant producedAt) implements PersonEvent {

    public static final String TYPE = "io.samtykke.subject.export-part.v1";
    public static final String ENCODING = "gzip+base64";
    /** The largest {@code data} of one chunk: 256 Ki characters (records stay far below 1 MB). */
    public static final int CHUNK_CHARS = 256 * 1024;
    public static final int MAX_CHUNKS = 192;

    /** The chunks of one part: {@code json} compressed, encoded and cut; throws when it needs more than {@link #MAX_CHUNKS}. */
    public static List<SubjectExportPart> split(String tenantId, String subjectId, UUID requestId, String service,
                                                byte[] json, Instant producedAt) {
        String encoded = Base64.getEncoder().encodeToString(gzip(json));
        int chunks = Math.max(1, (encoded.length() + CHUNK_CHARS - 1) / CHUNK_CHARS);
        if (chunks > MAX_CHUNKS) {
            throw new IllegalArgumentException("the export part of " + service + " needs " + chunks + " chunks; at most "
                    + MAX_CHUNKS + " are allowed");
        }
        String sha256 = sha256(json);
        UUID partId = UUID.nameUUIDFromBytes(("export-part:" + tenantId + "/" + requestId + "/" + service + "/" + sha256)
                .getBytes(StandardCharsets.UTF_8));
        List<SubjectExportPart> out = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            String data = encoded.substring(i * CHUNK_CHARS, Math.min(encoded.length(), (i + 1) * CHUNK_CHARS));
            UUID eventId = UUID.nameUUIDFromBytes((partId + "/" + (i + 1)).getBytes(StandardCharsets.UTF_8));
            out.add(new SubjectExportPart(eventId, tenantId, subjectId, requestId, service, partId, i + 1, chunks, ENCODING,
                    sha256, json.length, data, producedAt));
        }
        return out;
    }

    /**
     * The part's JSON bytes from all its chunks (in chunk order); throws when one is missing or the result does not
     * match the size and SHA-256 every chunk states.
     */
    public static byte[] join(List<SubjectExportPart> chunks) {
        if (chunks.isEmpty() || chunks.size() != chunks.get(0).chunks()) {
            throw new IllegalArgumentException("a part needs all its chunks");
        }
        StringBuilder encoded = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            SubjectExportPart c = chunks.get(i);
            if (c.chunk() != i + 1 || !c.partId().equals(chunks.get(0).partId())) {
                throw new IllegalArgumentException("chunk " + (i + 1) + " of part " + chunks.get(0).partId() + " is missing");
            }
            encoded.append(c.data());
        }
        byte[] json = gunzip(Base64.getDecoder().decode(encoded.toString()));
        SubjectExportPart first = chunks.get(0);
        if (json.length != first.size() || !sha256(json).equals(first.sha256())) {
            throw new IllegalArgumentException("part " + first.partId() + " does not match its size and SHA-256");
        }
        return json;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return zip.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
