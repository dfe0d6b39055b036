-- preference-service schema. Every row is scoped by tenant_id; no query may omit it.

-- What one person wants, as a whole; version is the ETag and the subjectseq of its events.
create table preference (
    tenant_id          text        not null,
    subject_id         text        not null,
    topics             jsonb       not null,  -- ["ride-offers", "product-updates"]
    frequency_caps     jsonb       not null,  -- {"EMAIL": {"max": 2, "per": "WEEK"}}
    quiet_hours        jsonb,                 -- {"start": "22:00", "end": "07:00"}, in time_zone
    time_zone          text,                  -- IANA, e.g. Europe/Copenhagen
    language           text,                  -- BCP 47
    preferred_channel  text,
    version            bigint      not null,
    updated_at         timestamptz not null,
    primary key (tenant_id, subject_id)
);

-- Transactional outbox: written in the same transaction as the change; the relay publishes it.
create table outbox (
    id            bigserial   primary key,
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

create index outbox_unpublished on outbox (id) where published_at is null;
