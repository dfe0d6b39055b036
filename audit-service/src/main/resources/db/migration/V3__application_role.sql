-- The service connects as its own role, which can read and append evidence but never change or remove it:
-- no UPDATE, DELETE or TRUNCATE on the log, its tree or its checkpoints (the triggers refuse those anyway).
-- Flyway runs as the schema owner. The role is created here when it does not exist yet, with the password
-- the service is configured with (placeholders app_role and app_password, from quarkus.datasource.*);
-- where the owner may not create roles, create it beforehand and only the grants below run.
do $$
begin
    if not exists (select from pg_roles where rolname = '${app_role}') then
        execute format('create role %I login password %L', '${app_role}', '${app_password}');
    end if;
end $$;

grant usage on schema public to "${app_role}";
grant select, insert on audit_entry, merkle_node, audit_checkpoint to "${app_role}";
grant select, insert, update on audit_sequence to "${app_role}";
grant select, insert on subject_key to "${app_role}";
grant update (wrapped_key, destroyed_at) on subject_key to "${app_role}";
