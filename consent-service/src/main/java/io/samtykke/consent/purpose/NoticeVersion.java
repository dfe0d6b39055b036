package io.samtykke.consent.purpose;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/** One published notice text (or URL + hash) of a purpose, in one language. Immutable. */
@Entity
@Table(name = "notice_version")
@IdClass(NoticeVersion.Id.class)
public class NoticeVersion extends PanacheEntityBase {

    @jakarta.persistence.Id
    @Column(name = "tenant_id")
    public String tenantId;

    @jakarta.persistence.Id
    @Column(name = "purpose_key")
    public String purposeKey;

    @jakarta.persistence.Id
    public String version;

    @jakarta.persistence.Id
    public String language;

    public String text;

    public String url;

    @Column(name = "content_sha256")
    public String contentSha256;

    public boolean material;

    @Column(name = "published_at")
    public Instant publishedAt;

    /** Composite key: tenant, purpose, version and language (a record: equality by value, as an id class needs). */
    public record Id(String tenantId, String purposeKey, String version, String language) implements Serializable {
    }
}
