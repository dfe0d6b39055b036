package io.samtykke.consent.purpose;

import io.samtykke.contract.Channel;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the purpose catalog. */
public final class PurposeApi {

    private PurposeApi() {
    }

    @Schema(description = "A purpose in the tenant's catalog", example = """
            {"names": {"da": "Nyhedsbrev", "en": "Newsletter"},
             "descriptions": {"da": "Nyheder og tilbud pr. e-mail", "en": "News and offers by email"},
             "channel": "EMAIL", "legalBasis": "CONSENT", "category": "MARKETING",
             "doubleOptIn": true, "active": true}""")
    public record PurposeRequest(
            Map<String, String> names,
            Map<String, String> descriptions,
            Channel channel,
            LegalBasis legalBasis,
            PurposeCategory category,
            @Schema(description = "ISO-8601 period after which a grant expires, e.g. P13M for analytics cookies")
            String validity,
            Boolean doubleOptIn,
            Boolean active) {
    }

    public record PurposeView(
            String key,
            Map<String, String> names,
            Map<String, String> descriptions,
            Channel channel,
            LegalBasis legalBasis,
            PurposeCategory category,
            String validity,
            boolean doubleOptIn,
            boolean active,
            Instant createdAt,
            Instant updatedAt) {

        static PurposeView of(Purpose p) {
            return new PurposeView(p.key, p.names, p.descriptions, p.channel, p.legalBasis, p.category, p.validity,
                    p.doubleOptIn, p.active, p.createdAt, p.updatedAt);
        }
    }

    @Schema(description = "A notice version to publish: the exact text shown, or its URL plus the SHA-256 of its content", example = """
            {"version": "2025-03", "language": "da",
             "text": "Ja tak, jeg vil gerne modtage nyhedsbrevet med tilbud. Du kan altid afmelde dig.",
             "material": false}""")
    public record NoticeRequest(
            String version,
            String language,
            String text,
            String url,
            @Schema(description = "Lowercase hex SHA-256 of the exact content; computed from text when text is given")
            String contentSha256,
            Boolean material) {
    }

    public record NoticeView(
            String purpose,
            String version,
            String language,
            String text,
            String url,
            String contentSha256,
            boolean material,
            Instant publishedAt) {

        static NoticeView of(NoticeVersion n) {
            return new NoticeView(n.purposeKey, n.version, n.language, n.text, n.url, n.contentSha256, n.material,
                    n.publishedAt);
        }
    }

    public record PurposeList(List<PurposeView> purposes) {
    }

    public record NoticeList(List<NoticeView> notices) {
    }
}
