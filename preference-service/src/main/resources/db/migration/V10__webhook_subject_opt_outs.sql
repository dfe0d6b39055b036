-- The default webhook types (a subscription naming none) now include the person-wide opt-outs: the objection to all
-- direct marketing (GDPR Art. 21) and the restriction of processing (Art. 18). A subscription stored with the old
-- default asked for "the opt-outs", so it gets them too: every subscription holding all four consent opt-out types,
-- each person-wide type it does not hold yet.
update webhook_subscription
set event_types = event_types
    || case when event_types @> array['io.samtykke.subject.objected.v1'] then array[]::text[]
            else array['io.samtykke.subject.objected.v1'] end
    || case when event_types @> array['io.samtykke.subject.restricted.v1'] then array[]::text[]
            else array['io.samtykke.subject.restricted.v1'] end
where event_types @> array['io.samtykke.consent.denied.v1', 'io.samtykke.consent.withdrawn.v1',
                           'io.samtykke.consent.expired.v1', 'io.samtykke.consent.objected.v1']
  and not event_types @> array['io.samtykke.subject.objected.v1', 'io.samtykke.subject.restricted.v1'];
