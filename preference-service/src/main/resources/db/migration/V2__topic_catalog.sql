-- The tenant's topic catalog: what a person may follow ("ride offers", "product updates"). A topic is
-- sent under one consent purpose; preferences.topics may only hold keys listed here.
create table topic (
    tenant_id     text        not null,
    key           text        not null,
    names         jsonb       not null,  -- {"da": "Køretilbud", "en": "Ride offers"}
    descriptions  jsonb       not null,
    purpose       text        not null,  -- the purpose key in consent-service's catalog
    active        boolean     not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    primary key (tenant_id, key)
);
