package io.samtykke.consent.outbox;

/**
 * Subjects are spread over a fixed number of slots; a relay publishes a slot only while it holds the
 * slot's advisory lock inside its publishing transaction, so one subject's events are only ever
 * published by one instance at a time, in order.
 */
public final class OutboxSlots {

    public static final int COUNT = 16;
    /** Advisory lock ids are LOCK_BASE + slot; the base keeps them apart from other users of advisory locks. */
    public static final long LOCK_BASE = 0x5A7_0000L;
    public static final String CHANNEL = "consent_outbox";

    private OutboxSlots() {
    }

    public static int slotOf(String tenantId, String subjectId) {
        return Math.floorMod((tenantId + "/" + subjectId).hashCode(), COUNT);
    }
}
