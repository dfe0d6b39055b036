package io.samtykke.contract;

/** Kafka topic names of the event contract. Versioned by suffix; never renamed. */
public final class Topics {

    /** Every consent change, in order per subject. */
    public static final String CONSENT_EVENTS = "samtykke.consent.events.v1";
    /** Only withdrawals, denials, expiries, objections and erasures: what marketing tools follow. */
    public static final String CONSENT_OPTOUTS = "samtykke.consent.optouts.v1";
    /** Compacted: latest state per subject and purpose, to bootstrap a consumer. */
    public static final String CONSENT_STATE = "samtykke.consent.state.v1";
    /**
     * Double opt-in confirmation requests for the tenant's sender to mail or text. They carry a secret of the person
     * (the confirmation link), so audit-service does not read this topic: the pending and the confirmed consent events
     * on {@link #CONSENT_EVENTS} are the audit trail.
     */
    public static final String CONSENT_CONFIRMATIONS = "samtykke.consent.confirmations.v1";
    public static final String PREFERENCE_EVENTS = "samtykke.preference.events.v1";
    public static final String SUBJECT_EVENTS = "samtykke.subject.events.v1";

    private Topics() {
    }

    /** The dead-letter topic of one consumer group. */
    public static String deadLetter(String consumerGroup) {
        return "samtykke.dlq." + consumerGroup;
    }
}
