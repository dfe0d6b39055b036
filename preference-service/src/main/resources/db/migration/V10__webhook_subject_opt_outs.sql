-- The default webhook types (a subscription naming none) now include the person-wide opt-out: the objection to all
-- direct marketing (GDPR Art. 21). A subscription stored with the old default asked for "the opt-outs", so it gets it
-- too: every subscription holding all four consent opt-out types and not the objection yet.
update webhook_subscription
set event_types = event_types || array['io.samtykke.subject.objected.v1']
where event_types @> array['io.samtykke.consent.denied.v1', 'io.samtykke.consent.withdrawn.v1',
                           'io.samtykke.consent.expired.v1', 'io.samtykke.consent.objected.v1']
  and not event_types @> array['io.samtykke.subject.objected.v1'];
