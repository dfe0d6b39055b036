package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady write load on consent-service from several clients, each alternating grants and withdrawals over its own
 * people, as a careful client does it: every change has an {@code Idempotency-Key}, and a change that got no answer or
 * an error is sent again with the same key until it is acknowledged (while a dependency is down, that can take a
 * while). So every change the service ever committed is acknowledged exactly once, which is what the invariants are
 * checked against.
 */
final class WriteLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GIVE_UP = Duration.ofSeconds(120);

    /** One acknowledged change: whose, its event id, its subject sequence and whether it granted. */
    record Ack(String subject, String eventId, long subjectSeq, boolean grant) {
    }

    private final Cluster cluster;
    private final String token;
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final ExecutorService pool;
    private final List<Future<Integer>> writers = new ArrayList<>();
    private final Map<String, List<Ack>> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger retries = new AtomicInteger();

    private WriteLoad(Cluster cluster, String token, int clients) {
        this.cluster = cluster;
        this.token = token;
        this.pool = Executors.newFixedThreadPool(clients);
    }

    /** Starts {@code clients} writers on the tenant of the {@code app} token, on purpose "newsletter" (notice v1). */
    static WriteLoad start(Cluster cluster, String app, int clients, int peoplePerClient) {
        WriteLoad load = new WriteLoad(cluster, app, clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            load.writers.add(load.pool.submit(() -> load.write(client, peoplePerClient)));
        }
        return load;
    }

    private int write(int client, int people) throws Exception {
        int n = 0;
        while (writing.get()) {
            String subject = "c" + client + "-p" + (n % people);
            boolean grant = (n / people) % 2 == 0;
            String change = grant ? "{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}"
                    : "{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}";
            String body = "{\"changes\":[" + change + "],\"evidence\":{\"source\":{\"appId\":\"load\",\"platform\":\"web\","
                    + "\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}";
            JsonNode record = acknowledge("/v1/subjects/" + subject + "/consents", UUID.randomUUID().toString(), body);
            acknowledged.computeIfAbsent(subject, s -> new ArrayList<>())
                    .add(new Ack(subject, record.path("eventId").asText(), record.path("subjectSeq").asLong(), grant));
            n++;
        }
        return n;
    }

    /** Sends the change until it is acknowledged (201, or the replay of its key); returns its record. */
    private JsonNode acknowledge(String path, String key, String body) throws Exception {
        Instant giveUp = Instant.now().plus(GIVE_UP);
        while (true) {
            try {
                HttpResponse<String> r = cluster.send("consent-service", path, HttpRequest.newBuilder()
                        .header("Idempotency-Key", key).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
                if (r.statusCode() == 201 || r.statusCode() == 200) {
                    return JSON.readTree(r.body()).path("records").path(0);
                }
                if (r.statusCode() < 500 && r.statusCode() != 429 && r.statusCode() != 409) {
                    throw new AssertionError(path + " refused: " + r.statusCode() + " " + r.body());
                }
            } catch (java.io.IOException noAnswer) {
                // the service or its database is away: the same change again, with the same key
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new AssertionError(path + ": not acknowledged within " + GIVE_UP);
            }
            retries.incrementAndGet();
            Thread.sleep(100); // a client's pause before it tries again, not a wait for a condition
        }
    }

    /** Stops the writers, waits for their last changes, and returns how many were acknowledged. */
    int stop() throws Exception {
        writing.set(false);
        pool.shutdown();
        int writes = 0;
        for (Future<Integer> f : writers) {
            writes += f.get();
        }
        return writes;
    }

    /** Each person's acknowledged changes, in the order of acknowledgement. */
    Map<String, List<Ack>> acknowledged() {
        return acknowledged;
    }

    /** How many changes are acknowledged so far. */
    int acknowledgedCount() {
        return acknowledged.values().stream().mapToInt(List::size).sum();
    }

    Set<String> eventIds() {
        Set<String> ids = new HashSet<>();
        acknowledged.values().forEach(list -> list.forEach(a -> ids.add(a.eventId())));
        return ids;
    }

    /** Attempts that got no answer or an error and were sent again. */
    int retries() {
        return retries.get();
    }

    @Override
    public void close() {
        writing.set(false);
        pool.shutdownNow();
    }
}
