package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * A webhook subscriber's endpoint, {@code /hook} on 127.0.0.1 (which production settings refuse, SSRF protection: the
 * preference-service that delivers to it allows private networks). It keeps every delivery. A verifying receiver checks
 * each against the subscription's Standard Webhooks secret ({@link #verifyWith}) and answers 204 when the signature
 * holds, 401 when not (no secret yet included), so the service retries; an accepting one answers 204 to everything.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery as received; {@code verified} only by a verifying receiver. */
    record Delivery(String id, String timestamp, String signature, String body, boolean verified) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("a webhook delivery that is not JSON: " + body, e);
            }
        }
    }

    private final HttpServer server;
    private final boolean verifying;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile String secret;

    private WebhookReceiver(boolean verifying) throws IOException {
        this.verifying = verifying;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            boolean verified = verifying && verify(secret, id, ts, body, sig);
            deliveries.add(new Delivery(id, ts, sig, body, verified));
            exchange.sendResponseHeaders(verified || !verifying ? 204 : 401, -1);
            exchange.close();
        });
        server.start();
    }

    /** Checks every delivery's signature once {@link #verifyWith} gave it the secret. */
    static WebhookReceiver verifying() throws IOException {
        return new WebhookReceiver(true);
    }

    /** Takes every delivery as it comes. */
    static WebhookReceiver accepting() throws IOException {
        return new WebhookReceiver(false);
    }

    /** The subscription's secret ({@code whsec_…}), from the answer to its creation. */
    void verifyWith(String secret) {
        this.secret = secret;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    /** The delivery of one event (by its webhook-id, the event id), waited for. */
    Delivery awaitDelivery(String eventId, Duration patience) {
        return await("a webhook delivery of " + eventId).atMost(patience).pollInterval(Duration.ofMillis(20))
                .until(() -> deliveries.stream().filter(d -> eventId.equals(d.id())).findFirst(), Optional::isPresent).get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** What a receiver does with Standard Webhooks: HMAC-SHA256 over id.timestamp.body with the base64 part of whsec_. */
    private static boolean verify(String secret, String id, String timestamp, String body, String signatures) {
        if (secret == null || id == null || timestamp == null || signatures == null
                || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            for (String candidate : signatures.split(" ")) {
                if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), candidate.getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
