-- The consent projection: built from samtykke.consent.events.v1 (and rebuilt from the compacted
-- samtykke.consent.state.v1), so decisions never call consent-service.

-- Latest state per subject and purpose; subject_seq/event_id name the consent event it reflects.
create table consent_projection (
    tenant_id       text        not null,
    subject_id      text        not null,
    purpose         text        not null,
    state           text        not null,
    subject_seq     bigint      not null,
    event_id        uuid        not null,
    notice_version  text,
    expires_at      timestamptz,
    changed_at      timestamptz not null,  -- recordedAt of the event (updatedAt of a snapshot)
    primary key (tenant_id, subject_id, purpose)
);

-- Per subject: the highest subjectseq applied (events at or below it are duplicates) and erasure.
create table projection_subject (
    tenant_id      text        not null,
    subject_id     text        not null,
    applied_seq    bigint      not null,
    last_event_id  uuid,
    erased_at      timestamptz,
    updated_at     timestamptz not null,
    primary key (tenant_id, subject_id)
);

-- Kafka offsets of the projection, committed in the same transaction as what they produced.
create table projection_offset (
    topic        text   not null,
    partition    int    not null,
    next_offset  bigint not null,
    primary key (topic, partition)
);

-- consent-service's purpose catalog as far as decisions and the preference center need it: learned
-- from every consent event (channel, category, legal basis) and synced from GET /v1/purposes (names).
create table purpose (
    tenant_id     text        not null,
    key           text        not null,
    channel       text        not null,
    category      text        not null,
    legal_basis   text        not null,
    names         jsonb       not null default '{}',
    descriptions  jsonb       not null default '{}',
    active        boolean     not null default true,
    updated_at    timestamptz not null,  -- of the event or catalog read it came from; older news never wins
    primary key (tenant_id, key)
);

-- When each tenant's catalog was last read from consent-service.
create table purpose_sync (
    tenant_id  text        primary key,
    synced_at  timestamptz not null
);
