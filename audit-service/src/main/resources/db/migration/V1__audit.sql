-- audit-service schema: the evidence log. Every row is scoped by tenant_id; no query may omit it.

-- Next seq per tenant. Ingest locks the tenant's row, so seq is dense (0, 1, 2, ...) in arrival order.
create table audit_sequence (
    tenant_id  text   primary key,
    next_seq   bigint not null
);

-- One row per CloudEvent received, exactly as received: append-only (see the triggers below).
create table audit_entry (
    tenant_id        text        not null,
    seq              bigint      not null,
    event_id         uuid        not null,   -- ce_id: the dedup key
    topic            text        not null,
    kafka_partition  int         not null,
    kafka_offset     bigint      not null,
    type             text        not null,   -- ce_type
    source           text        not null,   -- ce_source
    subject_id       text,                   -- from the record key tenantId/subjectId
    purpose          text,                   -- ce_subject
    event_time       timestamptz not null,   -- ce_time
    received_at      timestamptz not null,
    headers          jsonb       not null,   -- every Kafka header: text as a string, other bytes as {"base64": ...}
    payload          bytea       not null,   -- the record value, byte for byte
    primary key (tenant_id, seq),
    unique (tenant_id, event_id)
);

create index audit_entry_by_subject on audit_entry (tenant_id, subject_id, seq);
create index audit_entry_by_purpose on audit_entry (tenant_id, purpose, seq);
create index audit_entry_by_type on audit_entry (tenant_id, type, seq);

-- Evidence is never changed or removed, whoever asks: the owner and superusers included.
create function audit_entry_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_entry is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end $$;

create trigger audit_entry_no_update_or_delete before update or delete on audit_entry
    for each row execute function audit_entry_is_append_only();

create trigger audit_entry_no_truncate before truncate on audit_entry
    for each statement execute function audit_entry_is_append_only();
