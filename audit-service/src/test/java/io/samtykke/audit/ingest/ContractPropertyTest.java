package io.samtykke.audit.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.Events;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.Schemas;
import io.samtykke.kit.json.StrictJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract holds from producer to consumers, for generated events across all fields: every event a producer
 * would publish (its text passes the services' strict reading, its times are within what that reading accepts,
 * and it validates against the contract's schema, as consent-service checks before storing) is admitted by the
 * audit log (parsed, checked, its entry bytes built) and read by the decision projection's parser.
 * A seed in the failure message repeats a run: -Dsamtykke.property.seed=N.
 */
class ContractPropertyTest {

    private static final String[] TEXT = {"", "a", "nabogo-app", "iOS 17.4", "5.2.0-beta+1", "settings/notifications",
            "😀", "æøå ÆØÅ", "line\nbreak", "tab\there", "cr\r", "\u2028", "\uffff", "\ufeff", "x\u0000", "\u001b[31m", "\u007f",
            "lone\ud800", "\udc00", "Mozilla/5.0 (X11; Linux x86_64)", "x".repeat(600), "\"quoted\"", "back\\slash", "da", "en-GB",
            "192.0.2.0/24", "2001:db8::/48", "<script>", "' or 1=1 --", "%00", "null"};

    @Test
    void everyEventAProducerWouldPublishIsAcceptedByEveryConsumer() throws Exception {
        long seed = Long.getLong("samtykke.property.seed", System.nanoTime());
        Random random = new Random(seed);
        EventIngest ingest = new EventIngest();
        ingest.json = StrictJson.apply(new ObjectMapper());
        int published = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            ConsentEvent e = generate(random);
            String payload = EventJson.write(e);
            EventSchemas.Checked checked = EventSchemas.check(Schemas.CONSENT_EVENT, e);
            assertEquals(payload, checked.json(), "the producer stores the JSON it checked, the same as the contract's mapping");
            if (!producerWouldPublish(e, checked.violations())) {
                refused++;
                if (Boolean.getBoolean("samtykke.property.explain") && refused < 40) {
                    System.out.println(checked.violations());
                }
                continue;
            }
            published++;
            ProducerRecord<String, byte[]> r = Events.record(e);
            ConsumerRecord<String, byte[]> consumed = new ConsumerRecord<>(r.topic(), 0, i, 0L, TimestampType.CREATE_TIME, -1, -1,
                    r.key(), r.value(), new RecordHeaders(r.headers().toArray()), Optional.empty());
            try {
                ingest.admit(consumed); // the audit log: headers, schema, canonical entry bytes
            } catch (ReceivedEvent.NotAnEvent refusedByAudit) {
                fail("seed " + seed + ": the audit log refuses an event the producer would publish: " + refusedByAudit.getMessage()
                        + "\n" + payload);
            }
            try {
                ConsentEvent read = EventJson.read(r.value(), ConsentEvent.class); // the decision projection's parser
                assertTrue(read.eventId().equals(e.eventId()) && read.subjectSeq() == e.subjectSeq(), payload);
            } catch (RuntimeException refusedByProjection) {
                fail("seed " + seed + ": the projection cannot read an event the producer would publish: " + refusedByProjection
                        + "\n" + payload);
            }
        }
        System.out.println("contract property (seed " + seed + "): " + published + " publishable events accepted by every consumer, "
                + refused + " refused by the producer");
        assertTrue(published > 300 && refused > 300, "both kinds were generated: " + published + " / " + refused);
    }

    /**
     * What consent-service lets through: a tenant from a token that has one (not blank), subject ids and purpose keys
     * it validated (never blank), strict text and instants at its input, then the schema on the event.
     */
    private static boolean producerWouldPublish(ConsentEvent e, java.util.List<EventSchemas.Violation> violations) {
        if (e.tenantId().isBlank() || e.subjectId().isBlank() || e.purpose().isBlank()) {
            return false;
        }
        for (String s : new String[] {e.tenantId(), e.subjectId(), e.purpose(), e.evidence().source().appId(),
                e.evidence().source().platform(), e.evidence().source().appVersion(), e.evidence().source().collectionPoint(),
                e.evidence().language(), e.evidence().ipPrefix(), e.evidence().userAgent(), e.evidence().actor().id(),
                e.notice() == null ? null : e.notice().version(), e.notice() == null ? null : e.notice().language(),
                e.notice() == null ? null : e.notice().url()}) {
            if (s != null && StrictJson.problemOf(s) != null) {
                return false;
            }
        }
        for (Instant t : new Instant[] {e.occurredAt(), e.recordedAt(), e.expiresAt()}) {
            if (t != null && (t.isBefore(StrictJson.EARLIEST) || t.isAfter(StrictJson.LATEST))) {
                return false;
            }
        }
        return violations.isEmpty();
    }

    private static ConsentEvent generate(Random r) {
        ConsentState state = pick(r, ConsentState.values());
        ConsentEvent.Notice notice = r.nextInt(4) == 0 ? null : new ConsentEvent.Notice(sane(r, "2025-01"), sane(r, "da"),
                sane(r, "a".repeat(64)), r.nextInt(3) == 0 ? "https://example.dk/" + sane(r, "notice") : null, r.nextBoolean());
        ConsentEvent.Evidence evidence = new ConsentEvent.Evidence(
                new ConsentEvent.Source(sane(r, "nabogo-app"), sane(r, "ios"), sane(r, "5.0.2"), sane(r, "settings")),
                new ConsentEvent.Actor(pick(r, ActorType.values()), sane(r, "person-1")),
                sane(r, "da"), r.nextBoolean() ? "192.0.2.0/24" : sane(r, "2001:db8::/48"), r.nextBoolean() ? maybe(r) : sane(r, "App/1"));
        Instant recorded = instant(r);
        return new ConsentEvent(UUID.randomUUID(), sane(r, "tenant-" + r.nextInt(5)),
                sane(r, "subject-" + r.nextInt(1000)), 1 + r.nextInt(1_000_000), UUID.randomUUID(),
                sane(r, "purpose-" + r.nextInt(20)), pick(r, Channel.values()), pick(r, PurposeCategory.values()),
                pick(r, LegalBasis.values()), pick(r, ConsentAction.values()), pick(r, ConsentState.values()), state, notice, evidence,
                r.nextInt(3) == 0 ? instant(r) : recorded, recorded, r.nextInt(4) == 0 ? instant(r) : null);
    }

    private static Instant instant(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> Instant.parse("0000-01-01T00:00:00Z").plusSeconds(r.nextInt(1_000_000));
            case 1 -> Instant.parse("1969-12-31T23:59:59Z");
            case 2 -> Instant.parse("9999-12-31T23:59:59.999999Z");
            case 3 -> Instant.parse("+10000-01-01T00:00:00Z");
            default -> Instant.parse("2020-01-01T00:00:00Z").plusMillis(Math.abs(r.nextLong() % 400_000_000_000L))
                    .truncatedTo(ChronoUnit.MICROS);
        };
    }

    private static String maybe(Random r) {
        return r.nextInt(4) == 0 ? null : text(r);
    }

    /** Mostly an ordinary value, sometimes a hostile or odd one: so both publishable and refused events are common. */
    private static String sane(Random r, String ordinary) {
        return r.nextInt(12) == 0 ? text(r) : ordinary;
    }

    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            b.append(TEXT[r.nextInt(TEXT.length)]);
        }
        return b.toString();
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
