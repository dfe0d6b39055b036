package io.samtykke.contract;

/**
 * An event about one person of one tenant, on whatever topic: consent, subject and preference events, confirmation
 * requests and export parts. Its Kafka record key is the person's, so all their events share a partition and keep
 * their order.
 */
public interface PersonEvent {

    String tenantId();

    String subjectId();

    /** The Kafka record key: all events of one person share a partition. */
    default String partitionKey() {
        return CloudEventHeaders.partitionKey(tenantId(), subjectId());
    }
}
