-- The outbox relay (service-kit) spreads subjects over 16 slots, each published by one instance at a
-- time under a per-transaction advisory lock; the slot follows from the subject, so it is computed here.
alter table outbox add column slot smallint not null generated always as ((hashtext(tenant_id || '/' || subject_id) & 15)) stored;
drop index outbox_unpublished;
create index outbox_unpublished on outbox (slot, id) where published_at is null;

-- A row the relay cannot publish keeps its error and holds back only its own subject's later rows.
alter table outbox add column publish_error text;
create index outbox_failed on outbox (tenant_id, subject_id, id) where published_at is null and publish_error is not null;

-- Heartbeats of running relays: how many run, and which slots they covered lately.
create table outbox_relay (
    instance  text        primary key,
    seen_at   timestamptz not null,
    slots     smallint[]  not null
);
