-- Secret rotation: for an overlap after a rotation, deliveries are signed with the new and the previous secret.
alter table webhook_subscription
    add column previous_secret              text,          -- whsec_<base64>; signs too until previous_secret_valid_until
    add column previous_secret_valid_until  timestamptz,   -- when the previous secret stops (or stopped) being used
    add column secret_rotated_at            timestamptz;   -- when the current secret was made, if by a rotation
