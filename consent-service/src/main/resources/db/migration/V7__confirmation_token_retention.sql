-- The storage maintenance deletes tokens used or expired longer ago than samtykke.double-opt-in.token-retention:
-- used ones are found by this index, never-used ones by confirmation_token_expiry.
create index confirmation_token_used on confirmation_token (used_at) where used_at is not null;
