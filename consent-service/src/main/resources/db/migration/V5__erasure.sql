-- Erasure (GDPR Art. 17). What an erasure leaves behind: keyed hashes (HMAC-SHA-256 under a per-tenant key of
-- their own) of the erased subject id and of each erased identifier's blind index, so that nothing readable is kept
-- and yet no app, import or identifier attach can record the person again.
create table erased_subject (
    tenant_id  text        not null,
    tag        bytea       not null,
    erased_at  timestamptz not null,
    primary key (tenant_id, tag)
);

create table erased_identifier (
    tenant_id  text        not null,
    tag        bytea       not null,
    erased_at  timestamptz not null,
    primary key (tenant_id, tag)
);

-- The inactivity retention looks for subjects without consent activity for a tenant's period.
create index subject_by_activity on subject (tenant_id, updated_at);
