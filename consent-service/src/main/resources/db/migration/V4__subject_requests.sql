-- What concerns a person as a whole, beside their consents: the subject events' own sequence (published on
-- samtykke.subject.events.v1, numbered apart from consent events so those stay dense), the objection to all
-- direct marketing (GDPR Art. 21(2)-(3)) and the restriction of processing (Art. 18). Writes lock the subject row.
alter table subject add column event_seq bigint not null default 0;
alter table subject add column objected_at timestamptz;
alter table subject add column restricted_at timestamptz;
alter table subject add column restriction_reason text;

-- Data subject requests: one row per request, whatever the right; each step is a subject event in the outbox.
create table subject_request (
    tenant_id         text        not null,
    id                uuid        not null,
    subject_id        text        not null,
    type              text        not null,
    status            text        not null,
    details           text,
    received_at       timestamptz not null,
    due_at            timestamptz not null,   -- received_at + 1 calendar month (+ extended_months)
    extended_months   int,
    extension_reason  text,
    closing_reason    text,                   -- why it was completed or rejected
    closed_at         timestamptz,
    updated_at        timestamptz not null,
    primary key (tenant_id, id)
);

create index subject_request_by_subject on subject_request (tenant_id, subject_id, received_at);
create index subject_request_open_by_due on subject_request (tenant_id, due_at) where status not in ('COMPLETED', 'REJECTED');
