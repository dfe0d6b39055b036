package io.samtykke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast "no" travels: for each of {@code bench.withdrawals} people, a withdrawal is written to consent-service
 * and, from its HTTP 201, the bench measures how long until preference-service's decision API answers DENY and
 * until a webhook receiver on this machine has the signed delivery (its acknowledgement is the 2xx it sends at that
 * moment). The baseline, on the same broker in the same run: a plain Kafka produce (acks=all) to consume round trip,
 * the floor of any path that goes through Kafka once.
 */
public final class WithdrawalBench {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.withdrawals", 1000);
        System.out.printf("withdrawal bench: %d withdrawals, one at a time%n", n);
        Path data = Files.createTempDirectory("samtykke-bench-pg");
        Path keys = Files.createTempDirectory("samtykke-bench-keys");
        Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService receiverThreads = Executors.newFixedThreadPool(4);
        receiver.setExecutor(receiverThreads);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            acknowledgedAt.putIfAbsent(id, System.nanoTime());
        });
        receiver.start();

        try (PostgresServer pg = PostgresServer.persistent(data, 0)) {
            pg.ensureDatabase("consent");
            pg.ensureDatabase("preference");
            Tokens tokens = Tokens.inFolder(keys);
            Map<String, String> consentSettings = new HashMap<>(ServiceProcess.settingsFor(pg, "consent"));
            consentSettings.put("quarkus.oidc.public-key", tokens.publicKey());
            Map<String, String> preferenceSettings = new HashMap<>(ServiceProcess.settingsFor(pg, "preference"));
            preferenceSettings.remove("samtykke.identifiers.master-key");
            preferenceSettings.put("quarkus.oidc.public-key", tokens.publicKey());
            // the webhook receivers listen on 127.0.0.1, which production settings refuse (SSRF protection)
            preferenceSettings.put("samtykke.webhooks.allow-private-networks", "true");
            // the bench polls decisions back to back from one marketing client: above any client rate limit
            preferenceSettings.put("samtykke.rate-limit.defaults.requests-per-second", "1000000");
            preferenceSettings.put("samtykke.rate-limit.defaults.burst", "1000000");
            preferenceSettings.put("samtykke.consent-service.signing-key-file", keys.resolve("jwt-private.pk8").toString());
            byte[] linkKey = new byte[32];
            new SecureRandom().nextBytes(linkKey);
            preferenceSettings.put("samtykke.links.secret", Base64.getEncoder().encodeToString(linkKey));
            try (ServiceProcess consent = ServiceProcess.start("consent-service", ServiceProcess.freePort(), consentSettings)) {
                preferenceSettings.put("samtykke.consent-service.url", consent.url(""));
                try (ServiceProcess preference = ServiceProcess.start("preference-service", ServiceProcess.freePort(), preferenceSettings)) {
                    run(n, tokens, consent, preference, receiver, acknowledgedAt);
                }
            }
        } finally {
            receiver.stop(0);
            receiverThreads.shutdownNow();
        }
        // the in-JVM Kafka broker's threads would keep the JVM alive; its shutdown hook stops it
        System.exit(0);
    }

    private static void run(int n, Tokens tokens, ServiceProcess consent, ServiceProcess preference, HttpServer receiver,
                            Map<String, Long> acknowledgedAt) throws Exception {
        String tenant = "bench";
        String admin = tokens.mint(tenant, "admin", "admin");
        String app = tokens.mint(tenant, "app", "app");
        String marketing = tokens.mint(tenant, "crm", "marketing");
        send(consent, admin, "PUT", "/v1/purposes/newsletter",
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}", 201);
        send(consent, admin, "POST", "/v1/purposes/newsletter/notices",
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}", 201);
        send(preference, marketing, "POST", "/v1/webhooks", "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\"}", 201);

        int warmUp = Math.max(50, n / 10);
        int people = n + warmUp;
        System.out.printf("granting %d people ...%n", people);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> grants = new ArrayList<>();
        for (int i = 0; i < people; i++) {
            String subject = "p-" + i;
            grants.add(pool.submit(() -> send(consent, app, "POST", "/v1/subjects/" + subject + "/consents",
                    "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}", 201)));
        }
        for (Future<?> f : grants) {
            f.get();
        }
        pool.shutdown();
        awaitAllowed(preference, marketing, people);

        System.out.printf("measuring the Kafka baseline (%d round trips) ...%n", n);
        long[] kafka = kafkaRoundTrips(n + warmUp);

        System.out.printf("withdrawing %d people, one at a time (%d more to warm up first) ...%n", n, warmUp);
        long[] flip = new long[n];
        long[] ack = new long[n];
        long[] write = new long[n];
        long[] decisionCall = new long[n];
        for (int i = 0; i < people; i++) {
            String subject = "p-" + i;
            long started = System.nanoTime();
            JsonNode answer = JSON.readTree(send(consent, app, "POST", "/v1/subjects/" + subject + "/consents",
                    "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}", 201));
            long created = System.nanoTime();
            String eventId = answer.path("records").get(0).path("eventId").asText();
            long flipped = 0;
            long callTime = 0;
            while (flipped == 0) {
                long asked = System.nanoTime();
                String decision = send(preference, marketing, "POST", "/v1/decisions",
                        "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + subject + "\"}", 200);
                long answered = System.nanoTime();
                callTime = answered - asked;
                if (decision.contains("\"DENY\"")) {
                    // the flip happened at the latest when the answer left the service, at the earliest when it was asked
                    flipped = asked + (answered - asked) / 2;
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!acknowledgedAt.containsKey(eventId)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no webhook delivery of " + eventId + " within 30 s");
                }
                Thread.onSpinWait();
            }
            if (i >= warmUp) {
                int k = i - warmUp;
                write[k] = created - started;
                flip[k] = Math.max(0, flipped - created);
                ack[k] = Math.max(0, acknowledgedAt.get(eventId) - created);
                decisionCall[k] = callTime;
            }
        }
        long[] kafkaMeasured = Arrays.copyOfRange(kafka, warmUp, kafka.length);

        System.out.println();
        System.out.printf("%d withdrawals, single client, 2 services + Kafka + PostgreSQL on this machine%n", n);
        System.out.println("                                                    p50 ms   p90 ms   p99 ms   max ms");
        print("withdrawal POST to consent-service (until its 201)", write);
        print("201 -> preference-service decision says DENY", flip);
        print("201 -> webhook receiver has it (and acknowledges)", ack);
        print("baseline: Kafka produce (acks=all) -> consume", kafkaMeasured);
        print("for scale: one decision call (HTTP round trip)", decisionCall);
        System.out.printf(Locale.ROOT, "%nratios to the Kafka baseline (p50): decision flip %.1fx, webhook acknowledgement %.1fx%n",
                pct(flip, 50) / pct(kafkaMeasured, 50), pct(ack, 50) / pct(kafkaMeasured, 50));
        System.out.println("(the decision flip is observed by polling: each value may be late by up to half a decision call)");
    }

    /** Waits until every person's decision is ALLOW, i.e. the projection has all grants. */
    private static void awaitAllowed(ServiceProcess preference, String marketing, int people) throws Exception {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < people; i++) {
            ids.append(i == 0 ? "" : ",").append("\"p-").append(i).append('"');
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            String answer = send(preference, marketing, "POST", "/v1/decisions",
                    "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectIds\":[" + ids + "]}", 200);
            if (!answer.contains("\"DENY\"")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the grants did not reach preference-service within 2 minutes");
            }
            Thread.sleep(200);
        }
    }

    /** Produce one record and wait until a consumer on the same broker has it, {@code n} times. */
    private static long[] kafkaRoundTrips(int n) throws Exception {
        String topic = "bench.baseline." + System.nanoTime();
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        long[] took = new long[n];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 1),
                new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>(topic, "warm", new byte[0])).get();
            TopicPartition tp = new TopicPartition(topic, 0);
            List<TopicPartition> all = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(all);
            consumer.seekToEnd(all);
            all.forEach(consumer::position);
            AtomicLong received = new AtomicLong();
            for (int i = 0; i < n; i++) {
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, tp.partition(), "k", ("" + i).getBytes(StandardCharsets.UTF_8)));
                boolean got = false;
                while (!got) {
                    for (var r : consumer.poll(Duration.ofMillis(100))) {
                        if (new String(r.value(), StandardCharsets.UTF_8).equals("" + i)) {
                            got = true;
                            received.incrementAndGet();
                        }
                    }
                }
                took[i] = System.nanoTime() - sent;
            }
        }
        return took;
    }

    private static void print(String name, long[] nanos) {
        System.out.printf(Locale.ROOT, "  %-50s %8.2f %8.2f %8.2f %8.2f%n", name, pct(nanos, 50), pct(nanos, 90), pct(nanos, 99),
                pct(nanos, 100));
    }

    /** The p-th percentile in milliseconds (nearest rank). */
    static double pct(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static String send(ServiceProcess s, String token, String method, String path, String body, int expected) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.url(path)))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }
}
