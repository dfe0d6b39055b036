-- Exports of a person's data (GDPR Art. 15 access, Art. 20 portability). One row per ACCESS or PORTABILITY request
-- that was started: the other services answer its export-requested event with their parts, kept here chunk by chunk
-- (as published: gzip+base64) until expires_at, when both the row and the chunks are deleted. consent-service's own
-- part is read when the export is downloaded, so no decrypted identifier is ever stored.
create table subject_export (
    tenant_id     text        not null,
    request_id    uuid        not null,
    subject_id    text        not null,
    requested_at  timestamptz not null,
    ready_at      timestamptz,            -- every expected part complete; EXPORT_READY published
    expires_at    timestamptz not null,   -- requested_at + samtykke.consent.export.retention
    downloads     int         not null default 0,
    primary key (tenant_id, request_id)
);

create index subject_export_expiry on subject_export (expires_at);

create table export_part_chunk (
    tenant_id    text        not null,
    request_id   uuid        not null,
    service      text        not null,
    part_id      uuid        not null,
    chunk        int         not null,
    chunks       int         not null,
    event_id     uuid        not null,
    payload      text        not null,    -- the SubjectExportPart JSON as received
    received_at  timestamptz not null,
    primary key (tenant_id, request_id, service, part_id, chunk),
    foreign key (tenant_id, request_id) references subject_export (tenant_id, request_id) on delete cascade
);
