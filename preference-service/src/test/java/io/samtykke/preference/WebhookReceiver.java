package io.samtykke.preference;

import io.samtykke.kit.webhook.WebhookSignature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A marketing tool's webhook endpoint on this machine: verifies each request as a Standard Webhooks receiver
 * must (signature and timestamp window) and answers 204, or 503 while told to fail (for all subjects or one).
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received: its headers' values, body, whether its signature verified, and what was answered. */
    public record Received(String webhookId, String timestamp, String signature, String body, JsonNode json, boolean verified,
                           int answered) {
        public String subjectId() {
            return json.path("data").path("subjectId").asText();
        }

        public String type() {
            return json.path("type").asText();
        }

        /** Whether a receiver holding only {@code secret} would accept this request (signature and timestamp window). */
        public boolean verifiesWith(String secret) {
            return WebhookSignature.verify(secret, webhookId, timestamp, body, signature, Instant.now());
        }

        /** How many signatures {@code webhook-signature} carries (two while a rotated secret's overlap lasts). */
        public int signatures() {
            return signature.split(" ").length;
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile String secret;
    private volatile boolean failAll;
    private volatile String failSubject;

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            boolean verified = secret != null && id != null && ts != null && sig != null
                    && WebhookSignature.verify(secret, id, ts, body, sig, Instant.now());
            JsonNode json = JSON.readTree(body);
            String subject = json.path("data").path("subjectId").asText();
            int status = !verified ? 401 : failAll || subject.equals(failSubject) ? 503 : 204;
            received.add(new Received(id, ts, sig, body, json, verified, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The secret from the subscription's creation, which the receiver verifies signatures with. */
    public WebhookReceiver secret(String secret) {
        this.secret = secret;
        return this;
    }

    public void failAll(boolean fail) {
        this.failAll = fail;
    }

    public void failFor(String subjectId) {
        this.failSubject = subjectId;
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    /** The requests it acknowledged (2xx) that match. */
    public List<Received> acknowledged(Predicate<Received> match) {
        return received.stream().filter(r -> r.answered() / 100 == 2 && match.test(r)).toList();
    }

    /** Waits until {@code count} matching requests were acknowledged; fails after {@code timeout}. */
    public List<Received> awaitAcknowledged(Predicate<Received> match, int count, Duration timeout) {
        return await(r -> r.answered() / 100 == 2 && match.test(r), "acknowledged deliveries", count, timeout);
    }

    /** Waits until {@code count} matching requests arrived, whatever was answered; fails after {@code timeout}. */
    public List<Received> awaitReceived(Predicate<Received> match, int count, Duration timeout) {
        return await(match, "requests", count, timeout);
    }

    private List<Received> await(Predicate<Received> match, String what, int count, Duration timeout) {
        AtomicReference<List<Received>> got = new AtomicReference<>();
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            got.set(received.stream().filter(match).toList());
            assertTrue(got.get().size() >= count, () -> "expected " + count + " matching " + what + ", got " + got.get().size()
                    + " (of " + received.size() + " requests: " + summary() + ")");
        });
        return got.get();
    }

    private List<String> summary() {
        List<String> lines = new ArrayList<>();
        received.forEach(r -> lines.add(r.answered() + " " + r.type() + " " + r.subjectId()));
        return lines;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
