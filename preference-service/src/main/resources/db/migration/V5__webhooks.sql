-- Webhook subscriptions of marketing tools that do not speak Kafka, and the delivery ledger.
create table webhook_subscription (
    id           uuid        primary key,
    tenant_id    text        not null,
    url          text        not null,
    secret       text        not null,   -- whsec_<base64>; shown once at creation, used to sign
    event_types  text[]      not null,
    description  text,
    active       boolean     not null,
    created_at   timestamptz not null
);

create index webhook_subscription_by_tenant on webhook_subscription (tenant_id) where active;

-- One row per event per subscription, delivered in id order per subscription and subject.
-- status: PENDING (waiting or retrying), DELIVERED (acknowledged with a 2xx), DEAD (gave up; replayable).
create table webhook_delivery (
    id                bigserial   primary key,
    subscription_id   uuid        not null references webhook_subscription (id) on delete cascade,
    tenant_id         text        not null,
    subject_id        text        not null,
    event_id          uuid        not null,
    event_type        text        not null,
    payload           text        not null,  -- the event's JSON payload, as on Kafka
    changed_at        timestamptz not null,  -- when the change was stored upstream: the start of the lag
    created_at        timestamptz not null,
    status            text        not null,
    attempts          int         not null default 0,
    next_attempt_at   timestamptz not null,
    last_attempt_at   timestamptz,
    last_status_code  int,
    last_error        text,
    acknowledged_at   timestamptz,
    dead_at           timestamptz,
    unique (subscription_id, event_id)
);

create index webhook_delivery_open on webhook_delivery (subscription_id, subject_id, id) where status <> 'DELIVERED';
create index webhook_delivery_ledger on webhook_delivery (subscription_id, id);

-- Every attempt: what was sent when, and what came back.
create table webhook_attempt (
    id            bigserial   primary key,
    delivery_id   bigint      not null references webhook_delivery (id) on delete cascade,
    started_at    timestamptz not null,
    duration_ms   int         not null,
    status_code   int,
    error         text
);

create index webhook_attempt_by_delivery on webhook_attempt (delivery_id, id);
