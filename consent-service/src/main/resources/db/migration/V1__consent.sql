-- consent-service schema. Every row is scoped by tenant_id; no query may omit it.

-- Purpose catalog (role admin). Names and descriptions per language as {"da": "...", "en": "..."}.
create table purpose (
    tenant_id      text        not null,
    key            text        not null,
    names          jsonb       not null,
    descriptions   jsonb       not null,
    channel        text        not null,
    legal_basis    text        not null,
    category       text        not null,
    validity       text,                    -- ISO-8601 period, e.g. P13M; null = no expiry
    double_opt_in  boolean     not null,
    active         boolean     not null,
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    primary key (tenant_id, key)
);

-- Notice versions: the exact text (or URL + SHA-256 of the content) a person was shown. Immutable.
create table notice_version (
    tenant_id       text        not null,
    purpose_key     text        not null,
    version         text        not null,
    language        text        not null,
    text            text,
    url             text,
    content_sha256  text        not null,
    material        boolean     not null,
    published_at    timestamptz not null,
    primary key (tenant_id, purpose_key, version, language),
    foreign key (tenant_id, purpose_key) references purpose (tenant_id, key)
);

create function notice_version_is_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'notice versions are immutable once published';
end $$;

create trigger notice_version_immutable before update or delete on notice_version
    for each row execute function notice_version_is_immutable();

-- One row per person: the per-subject sequence (subjectseq) and the version behind the ETag.
-- Writes lock this row, so one subject's changes are serialized and numbered densely.
create table subject (
    tenant_id   text        not null,
    subject_id  text        not null,
    seq         bigint      not null default 0,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    primary key (tenant_id, subject_id)
);

-- Current state per subject × purpose: what reads are served from.
create table consent_current (
    tenant_id       text        not null,
    subject_id      text        not null,
    purpose_key     text        not null,
    state           text        not null,
    notice_version  text,
    notice_language text,
    event_id        uuid        not null,
    subject_seq     bigint      not null,
    updated_at      timestamptz not null,
    expires_at      timestamptz,
    primary key (tenant_id, subject_id, purpose_key)
);

create index consent_current_expiry on consent_current (expires_at) where state = 'GRANTED' and expires_at is not null;

-- Immutable consent records (the evidence), append-only, partitioned by month of recorded_at so
-- reads and retention stay flat as history grows.
create table consent_record (
    tenant_id          text        not null,
    subject_id         text        not null,
    subject_seq        bigint      not null,
    event_id           uuid        not null,
    request_id         uuid        not null,
    purpose_key        text        not null,
    action             text        not null,
    previous_state     text        not null,
    state              text        not null,
    notice_version     text,
    notice_language    text,
    notice_sha256      text,
    occurred_at        timestamptz not null,
    recorded_at        timestamptz not null,
    expires_at         timestamptz,
    source_app_id      text,
    source_platform    text,
    source_app_version text,
    collection_point   text,
    actor_type         text        not null,
    actor_id           text,
    language           text,
    ip_prefix          text,
    user_agent         text,
    primary key (tenant_id, subject_id, subject_seq, recorded_at)
) partition by range (recorded_at);

create table consent_record_default partition of consent_record default;

create function consent_record_is_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'consent records are immutable';
end $$;

create trigger consent_record_immutable before update on consent_record
    for each row execute function consent_record_is_immutable();

-- Creates monthly partitions from one month back to months_ahead months ahead; idempotent.
create function ensure_consent_record_partitions(months_ahead int) returns void language plpgsql as $$
declare
    m date := date_trunc('month', now() - interval '1 month')::date;
    last date := date_trunc('month', now() + make_interval(months => months_ahead))::date;
    name text;
begin
    while m <= last loop
        name := 'consent_record_' || to_char(m, 'YYYY_MM');
        if to_regclass(name) is null then
            execute format('create table %I partition of consent_record for values from (%L) to (%L)',
                           name, m, (m + interval '1 month')::date);
        end if;
        m := (m + interval '1 month')::date;
    end loop;
end $$;

select ensure_consent_record_partitions(3);

-- Transactional outbox: written in the same transaction as the record; the relay publishes it.
-- slot = hash of tenant/subject mod 16: one relay instance owns a slot at a time (advisory lock).
create table outbox (
    id            bigserial   primary key,
    slot          smallint    not null,
    tenant_id     text        not null,
    subject_id    text        not null,
    subject_seq   bigint      not null,
    event_id      uuid        not null,
    event_type    text        not null,
    payload       text        not null,
    traceparent   text,
    created_at    timestamptz not null,
    published_at  timestamptz
);

create index outbox_unpublished on outbox (slot, id) where published_at is null;

-- Idempotency-Key: the first response per (tenant, client, key), stored in the write's transaction.
create table idempotency_key (
    tenant_id     text        not null,
    client_id     text        not null,
    key           text        not null,
    request_hash  text        not null,
    status        int         not null,
    response      text        not null,
    etag          text,
    created_at    timestamptz not null,
    primary key (tenant_id, client_id, key)
);

-- Contact identifiers: AES-GCM ciphertext, found through an HMAC-SHA-256 blind index.
create table subject_identifier (
    tenant_id    text        not null,
    type         text        not null,
    blind_index  bytea       not null,
    subject_id   text        not null,
    ciphertext   bytea       not null,
    created_at   timestamptz not null,
    primary key (tenant_id, type, blind_index, subject_id)
);

create index subject_identifier_by_subject on subject_identifier (tenant_id, subject_id);
