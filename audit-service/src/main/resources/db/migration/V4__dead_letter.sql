-- Records the log could not admit or store, kept as received (key, headers, raw value) with where they were
-- and why, so an operator can list them and replay them after a fix. The log itself never changes: a replayed
-- record is appended as a new entry; here only replayed_at is set.
create table dead_letter (
    id            bigserial   primary key,
    topic         text        not null,
    kafka_partition integer   not null,
    kafka_offset  bigint      not null,
    tenant_id     text,                  -- ce_tenantid when the record carries a readable one
    event_id      text,                  -- ce_id, likewise
    record_key    text,
    headers       jsonb       not null,  -- [{"key": "...", "value": "<base64>"}], in order
    value         bytea       not null,
    reason        text        not null,
    received_at   timestamptz not null,
    replayed_at   timestamptz,
    unique (topic, kafka_partition, kafka_offset)
);
create index dead_letter_tenant on dead_letter (tenant_id, id);

grant select, insert on dead_letter to "${app_role}";
grant update (replayed_at, reason) on dead_letter to "${app_role}";
grant usage on sequence dead_letter_id_seq to "${app_role}";
