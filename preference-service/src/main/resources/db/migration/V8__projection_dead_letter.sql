-- Consent events the projection could not apply, kept as received (key, headers, raw value) with where they were
-- and why (the service kit's DeadLetterTable), beside the dead-letter topic, until an admin replays them.
create table projection_dead_letter (
    id              bigserial   primary key,
    topic           text        not null,
    kafka_partition integer     not null,
    kafka_offset    bigint      not null,
    tenant_id       text,
    event_id        text,
    record_key      text,
    headers         jsonb       not null,
    value           bytea       not null,
    reason          text        not null,
    received_at     timestamptz not null,
    replayed_at     timestamptz,
    unique (topic, kafka_partition, kafka_offset)
);
create index projection_dead_letter_tenant on projection_dead_letter (tenant_id, id);
