-- The evidence log becomes a Merkle tree (RFC 9162) of canonical, sealed entries with signed checkpoints.
--
-- V1 kept every payload and its headers in clear, which is personal data a log that must survive erasure
-- cannot hold. Rows V1 stored (development builds only, before any release) are kept aside unchanged in
-- audit_entry_v1, still append-only, outside every tree; drop that table once nobody needs them.
alter table audit_entry rename to audit_entry_v1;
alter table audit_entry_v1 rename constraint audit_entry_pkey to audit_entry_v1_pkey;
alter table audit_entry_v1 rename constraint audit_entry_tenant_id_event_id_key to audit_entry_v1_tenant_id_event_id_key;
alter index audit_entry_by_subject rename to audit_entry_v1_by_subject;
alter index audit_entry_by_purpose rename to audit_entry_v1_by_purpose;
alter index audit_entry_by_type rename to audit_entry_v1_by_type;
alter table audit_sequence rename to audit_sequence_v1;
alter table audit_sequence_v1 rename constraint audit_sequence_pkey to audit_sequence_v1_pkey;

-- Next seq per tenant: the next leaf index. Ingest locks the tenant's row, so seq is dense from 0 in arrival order.
create table audit_sequence (
    tenant_id  text   primary key,
    next_seq   bigint not null
);

-- One leaf of a tenant's tree per event received. entry holds the canonical entry bytes exactly as hashed
-- (io.samtykke.audit.verifier.LogEntry): leaf_hash = SHA-256(0x00 || entry). The other columns repeat
-- what the entry says, for queries.
create table audit_entry (
    tenant_id        text        not null,
    seq              bigint      not null,   -- the leaf index
    event_id         uuid        not null,   -- ce_id: the dedup key
    topic            text        not null,   -- where it was first received
    kafka_partition  int         not null,
    kafka_offset     bigint      not null,
    type             text        not null,   -- ce_type
    source           text        not null,   -- ce_source
    subject_ref      text,                   -- keyed pseudonym of the subject id (never the id)
    purpose          text,                   -- ce_subject
    event_time       timestamptz not null,   -- ce_time
    received_at      timestamptz not null,
    entry            bytea       not null,
    leaf_hash        bytea       not null check (length(leaf_hash) = 32),
    primary key (tenant_id, seq),
    unique (tenant_id, event_id)
);

create index audit_entry_by_subject on audit_entry (tenant_id, subject_ref, seq);
create index audit_entry_by_purpose on audit_entry (tenant_id, purpose, seq);
create index audit_entry_by_type on audit_entry (tenant_id, type, seq);
create index audit_entry_by_time on audit_entry (tenant_id, event_time, seq);

-- Complete subtrees above the leaves: the 2^level leaves from idx * 2^level hash to hash. Written once, when
-- the subtree's last leaf is checkpointed, so any root or proof reads O(log n) rows instead of n leaves.
create table merkle_node (
    tenant_id  text     not null,
    level      smallint not null check (level > 0),
    idx        bigint   not null,
    hash       bytea    not null check (length(hash) = 32),
    primary key (tenant_id, level, idx)
);

-- Every signed checkpoint, as served: the C2SP signed note of (origin, tree_size, root_hash).
create table audit_checkpoint (
    tenant_id   text        not null,
    tree_size   bigint      not null,
    root_hash   bytea       not null check (length(root_hash) = 32),
    note        text        not null,
    created_at  timestamptz not null,
    primary key (tenant_id, tree_size)
);

-- One data key per subject, wrapped by the key-encryption key. Destroying it (wrapped_key = null) makes the
-- subject's sealed values unreadable everywhere, backups included, while every hash still verifies.
create table subject_key (
    tenant_id     text        not null,
    subject_ref   text        not null,
    wrapped_key   bytea,
    created_at    timestamptz not null,
    destroyed_at  timestamptz,
    primary key (tenant_id, subject_ref),
    check ((wrapped_key is null) = (destroyed_at is not null))
);

-- Evidence is never changed or removed, whoever asks: the owner and superusers included.
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
end $$;

create trigger audit_entry_no_update_or_delete before update or delete on audit_entry
    for each row execute function refuse_change();
create trigger audit_entry_no_truncate before truncate on audit_entry
    for each statement execute function refuse_change();
create trigger merkle_node_no_update_or_delete before update or delete on merkle_node
    for each row execute function refuse_change();
create trigger merkle_node_no_truncate before truncate on merkle_node
    for each statement execute function refuse_change();
create trigger audit_checkpoint_no_update_or_delete before update or delete on audit_checkpoint
    for each row execute function refuse_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function refuse_change();
