-- Runs once, when the postgres container starts on an empty volume (docker-entrypoint-initdb.d).
-- One database per service: each service owns its schema and never reads another's tables.
CREATE DATABASE consent;
CREATE DATABASE preference;
CREATE DATABASE audit;
