package io.samtykke.consent.outbox;

/**
 * Subjects are spread over a fixed number of slots; one relay instance owns a slot at a time (a
 * PostgreSQL advisory lock), so one subject's events are only ever published by one instance, in order.
 * Running relays also each hold one member lock, so they can count each other and share the slots.
 */
public final class OutboxSlots {

    public static final int COUNT = 16;
    /** Advisory lock ids are LOCK_BASE + slot; the base keeps them apart from other users of advisory locks. */
    public static final long LOCK_BASE = 0x5A7_0000L;
    public static final String CHANNEL = "consent_outbox";
    /** Member lock ids are MEMBER_BASE + n, n below {@link #MAX_MEMBERS}: one per running relay. */
    public static final long MEMBER_BASE = 0x5A7_1000L;
    public static final int MAX_MEMBERS = 64;

    private OutboxSlots() {
    }

    public static int slotOf(String tenantId, String subjectId) {
        return Math.floorMod((tenantId + "/" + subjectId).hashCode(), COUNT);
    }

    /** The most slots one of {@code members} running relays owns: together they cover every slot. */
    public static int fairShare(int members) {
        return -Math.floorDiv(-COUNT, Math.max(1, members));
    }
}
