-- Messages callers report as sent; those that count against frequency caps are counted per channel.
create table send (
    id              bigserial   primary key,
    tenant_id       text        not null,
    subject_id      text        not null,
    channel         text        not null,
    purpose         text,
    topic           text,
    message_id      text,         -- the caller's id of the message; a repeated report is ignored
    counts_for_cap  boolean     not null,
    sent_at         timestamptz not null,
    recorded_at     timestamptz not null
);

create index send_by_subject on send (tenant_id, subject_id, channel, sent_at);
create unique index send_once on send (tenant_id, subject_id, channel, message_id) where message_id is not null;
