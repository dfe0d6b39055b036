-- Double opt-in: one confirmation token per PENDING_CONFIRMATION record. The token itself is never stored, only its
-- SHA-256 (what the confirm endpoint looks up); token_id names it in the confirmed record's evidence.
create table confirmation_token (
    token_sha256      text        primary key,
    token_id          uuid        not null unique,
    tenant_id         text        not null,
    subject_id        text        not null,
    purpose_key       text        not null,
    pending_event_id  uuid        not null,
    notice_version    text,
    language          text,
    requested_at      timestamptz not null,
    expires_at        timestamptz not null,
    used_at           timestamptz
);

create index confirmation_token_expiry on confirmation_token (expires_at);

-- The proof on the record that confirms: which token, for which pending record, sent when (confirmed = occurred_at).
alter table consent_record
    add column confirmation_token_id         uuid,
    add column confirmation_pending_event_id uuid,
    add column confirmation_requested_at     timestamptz;

-- The expiry job's second kind of work: pending consents whose confirmation link expired.
create index consent_current_pending_expiry on consent_current (expires_at)
    where state = 'PENDING_CONFIRMATION' and expires_at is not null;
