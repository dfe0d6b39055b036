-- What holds for a person as a whole, from samtykke.subject.events.v1: the objection to all direct marketing and the
-- restriction of processing to storage. applied_seq is the subject-event sequence (apart from consent events'):
-- an event at or below it is a duplicate or older, and changes nothing.
create table projection_subject_status (
    tenant_id      text        not null,
    subject_id     text        not null,
    applied_seq    bigint      not null,
    last_event_id  uuid        not null,
    objected_at    timestamptz,
    restricted_at  timestamptz,
    updated_at     timestamptz not null,
    primary key (tenant_id, subject_id)
);
