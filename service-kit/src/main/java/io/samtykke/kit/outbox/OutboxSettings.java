package io.samtykke.kit.outbox;

import java.time.Duration;
import java.util.Objects;

/**
 * What a service's relay publishes from and how.
 *
 * @param name       the relay's name in logs and as the Kafka client id ("consent-outbox-relay")
 * @param table      the outbox table; see the module README for its columns. A sibling table
 *                   {@code <table>_relay} holds the relays' heartbeats.
 * @param channel    the NOTIFY channel writers signal after committing rows
 * @param lockBase   advisory lock ids are lockBase + slot: distinct per service and apart from other lock users
 * @param slots      the number of slots subjects are spread over (the {@code slot} column is below it)
 * @param batchSize  rows published per transaction
 * @param pollInterval how long the relay waits for a NOTIFY before it looks anyway
 * @param stuckAfter the age of the oldest publishable row at which the relay reports itself stuck
 *                   (while Kafka answers), and the longest a relay round may take before it counts as hung
 */
public record OutboxSettings(String name, String table, String channel, long lockBase, int slots, int batchSize,
                             Duration pollInterval, Duration stuckAfter) {

    public OutboxSettings {
        Objects.requireNonNull(name);
        if (!table.matches("[a-z_][a-z0-9_]*") || !channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("table and channel must be plain SQL identifiers");
        }
        if (slots < 1 || batchSize < 1 || pollInterval.isNegative() || pollInterval.isZero() || stuckAfter.isNegative()) {
            throw new IllegalArgumentException("slots, batch size, poll interval and stuck bound must be positive");
        }
    }

    /** A relay whose last heartbeat is older than this is no longer counted as running. */
    Duration heartbeatWindow() {
        Duration threePolls = pollInterval.multipliedBy(3);
        Duration half = stuckAfter.dividedBy(2);
        return threePolls.compareTo(half) > 0 ? threePolls : half;
    }
}
