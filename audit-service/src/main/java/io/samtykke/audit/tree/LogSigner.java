package io.samtykke.audit.tree;

import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.audit.verifier.SignedNote;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names each tenant's log and signs its checkpoints. One Ed25519 key signs for every tenant, under a key
 * name equal to the tenant log's origin (as C2SP tlog-checkpoint recommends), so each tenant has a
 * verifier key of its own: {@code samtykke.example/audit/acme+<key ID>+<public key>}.
 */
@ApplicationScoped
public class LogSigner {

    @Inject
    AuditConfig config;

    private KeyPair keys;
    private final Map<String, NoteKey> byTenant = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        String pem = config.signingKey().filter(s -> !s.isBlank()).orElseGet(() -> config.signingKeyFile().map(path -> {
            try {
                return Files.readString(path, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read samtykke.audit.signing-key-file " + path, e);
            }
        }).orElseThrow(() -> new IllegalStateException(
                "set samtykke.audit.signing-key or samtykke.audit.signing-key-file (openssl genpkey -algorithm ed25519)")));
        keys = Ed25519Keys.fromPem(pem);
    }

    /** The origin line of the tenant's checkpoints, also its key name. */
    public String origin(String tenant) {
        return config.originPrefix() + "/" + escape(tenant);
    }

    /** The verifier key of the tenant's log, as {@code GET /v1/public-key} serves it. */
    public String verifierKey(String tenant) {
        return key(tenant).verifierKey();
    }

    /** The signed checkpoint note of the tenant's tree of {@code size} leaves with {@code root}. */
    public String sign(String tenant, long size, byte[] root) {
        return SignedNote.sign(new Checkpoint(origin(tenant), size, root).body(), key(tenant));
    }

    private NoteKey key(String tenant) {
        return byTenant.computeIfAbsent(tenant, t -> NoteKey.signer(origin(t), keys));
    }

    /** Percent-encodes what a note key name may not hold, so any tenant id makes a valid origin (and file name). */
    public static String escape(String tenant) {
        StringBuilder out = new StringBuilder();
        for (byte b : tenant.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
