package io.samtykke.consent.purpose;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.samtykke.contract.Channel;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.io.Serializable;
import java.time.Instant;
import java.util.Map;

/** A purpose in a tenant's catalog: what data is used for, on which channel, under which legal basis. */
@Entity
@Table(name = "purpose")
@IdClass(Purpose.Id.class)
public class Purpose extends PanacheEntityBase {

    @jakarta.persistence.Id
    @Column(name = "tenant_id")
    public String tenantId;

    @jakarta.persistence.Id
    public String key;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> names;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> descriptions;

    @Enumerated(EnumType.STRING)
    public Channel channel;

    @Enumerated(EnumType.STRING)
    @Column(name = "legal_basis")
    public LegalBasis legalBasis;

    @Enumerated(EnumType.STRING)
    public PurposeCategory category;

    /** ISO-8601 period after which a grant expires, e.g. P13M; null for no expiry. */
    public String validity;

    @Column(name = "double_opt_in")
    public boolean doubleOptIn;

    public boolean active;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Composite key: tenant and purpose key (a record: equality by value, as an id class needs). */
    public record Id(String tenantId, String key) implements Serializable {
    }
}
