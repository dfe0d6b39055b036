-- An erasure deletes the person's double opt-in links: found by the person, not by scanning the table.
create index confirmation_token_subject on confirmation_token (tenant_id, subject_id);
