package io.samtykke.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of audit-service; each is documented with its default in the service README. */
@ConfigMapping(prefix = "samtykke.audit")
public interface AuditConfig {

    /** The log of tenant T is named {@code <origin-prefix>/<T>} (T percent-encoded where a key name needs it). */
    @WithDefault("samtykke.example/audit")
    String originPrefix();

    /** The Ed25519 key that signs checkpoints, as PKCS#8 PEM text; or {@link #signingKeyFile()}. */
    Optional<String> signingKey();

    /** A file holding the PKCS#8 PEM signing key ({@code openssl genpkey -algorithm ed25519}). */
    Optional<Path> signingKeyFile();

    /** Base64 of 32 random bytes: wraps each subject's data key and keys the subject pseudonyms. */
    String keyEncryptionKey();

    Checkpoints checkpoints();


    Export export();

    Receipts receipts();

    interface Checkpoints {
        /** How often tenants with new entries are checkpointed; a checkpoint follows new entries within about this. */
        @WithDefault("PT0.2S")
        Duration interval();

        /** Most new leaves folded into one checkpoint; a larger backlog is worked off in several. */
        @WithDefault("65536")
        int maxLeaves();
    }

    interface Export {
        /** Entries read, opened and written per database round trip while streaming an export. */
        @WithDefault("1000")
        int pageSize();

        /**
         * The most entries of one person that audit-service's part of their export (GDPR Art. 15, 20) holds: the part is
         * built in memory, so a person with more gets no audit-service part (logged, counted as export-failed, alerted)
         * instead of exhausting the heap. About 4 KB of heap per entry.
         */
        @WithDefault("10000")
        int maxPartEntries();
    }

    interface Receipts {
        /** The jurisdiction a consent receipt names (Kantara {@code jurisdiction}). */
        @WithDefault("EU")
        String jurisdiction();
    }
}
