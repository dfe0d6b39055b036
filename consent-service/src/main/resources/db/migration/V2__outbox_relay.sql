-- The relay (service-kit) takes slot locks per transaction. A row it cannot publish keeps its error here
-- and holds back only its own subject's later rows; the partial index finds those few rows cheaply.
alter table outbox add column publish_error text;
create index outbox_failed on outbox (tenant_id, subject_id, id) where published_at is null and publish_error is not null;

-- Heartbeats of running relays: how many run, and which slots they covered lately.
create table outbox_relay (
    instance  text        primary key,
    seen_at   timestamptz not null,
    slots     smallint[]  not null
);
