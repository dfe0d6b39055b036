package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhook URLs cannot be used to reach the service's own machine, its networks or cloud metadata (SSRF), neither when
 * they are registered nor when the name's address changes afterwards.
 * <ul>
 *   <li>On the shared cluster (production settings: private networks not allowed), registering a URL into loopback,
 *       private, unique-local, link-local or unspecified addresses, or with a scheme other than http(s), is refused
 *       with problem+json and registers nothing; a public address is accepted, so the refusals are about the address.</li>
 *   <li>On a cluster of its own whose JVMs read names from a hosts file the test rewrites (as if DNS changed; the JVM
 *       address cache off, so the change is seen at once): a URL whose name maps to a public address is registered;
 *       then the name maps to 127.0.0.1, where a receiver listens, and a withdrawal makes a delivery. The receiver
 *       gets nothing, and the delivery ledger shows each attempt failed without a request, naming the address and
 *       why, and the delivery waiting for its retry (dead-lettered after the configured attempts, as any failure).
 *       A second name mapped to a private address is refused at registration: the services do read the file.</li>
 * </ul>
 */
class WebhookTargetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLIC = "93.184.216.34";

    @TempDir
    Path folder;

    @Test
    void urlsIntoPrivateNetworksOrWithOtherSchemesAreRefusedAndRegisterNothing() throws Exception {
        Cluster cluster = Cluster.shared();
        String tenant = "hooks-" + UUID.randomUUID().toString().substring(0, 6);
        String marketing = Invariants.token(cluster, tenant, "marketing");
        List<String> refused = List.of(
                "http://127.0.0.1:8082/hook", "http://127.8.9.10/hook", "http://[::1]:8082/hook", "http://localhost:8082/hook",
                "http://[::ffff:127.0.0.1]/hook", "http://2130706433/hook",
                "http://169.254.169.254/latest/meta-data/", "http://169.254.10.20/hook", "http://[fe80::1]/hook",
                "https://10.0.0.1/hook", "https://10.255.255.254/hook", "https://172.16.0.1/hook", "https://172.31.255.254/hook",
                "https://192.168.0.1/hook", "https://192.168.255.254/hook", "http://[fc00::1]/hook", "http://[fd12:3456::1]/hook",
                "http://0.0.0.0:8082/hook", "http://[::]/hook",
                "file:///etc/passwd", "ftp://" + PUBLIC + "/hook", "gopher://" + PUBLIC + ":70/_hook",
                "jar:http://" + PUBLIC + "/x.jar!/hook", "dict://" + PUBLIC + ":11211/");

        String before = list(cluster, marketing);
        List<String> failures = new ArrayList<>();
        for (String url : refused) {
            HttpResponse<String> r = cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                    JSON.createObjectNode().put("url", url).toString());
            JsonNode problem = r.statusCode() == 400 ? JSON.readTree(r.body()) : null;
            if (problem == null || !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                    || !"/url".equals(problem.at("/errors/0/pointer").asText()) || problem.path("errors").size() != 1) {
                failures.add(url + ": " + r.statusCode() + " " + r.body());
            }
        }
        assertEquals(List.of(), failures, "refused with 400 problem+json pointing at /url");
        assertEquals(before, list(cluster, marketing), "nothing registered");

        HttpResponse<String> control = cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                "{\"url\":\"https://" + PUBLIC + "/hook\"}");
        assertEquals(201, control.statusCode(), control.body());
        assertEquals(1, JSON.readTree(list(cluster, marketing)).path("subscriptions").size(), "only the public one");
        System.out.printf("webhook targets: %d URLs into private networks or with other schemes refused, none registered%n",
                refused.size());
    }

    @Test
    void aNameThatTurnsPrivateAfterRegistrationIsNeverCalled() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Path hosts = folder.resolve("hosts");
        String self = "127.0.0.1 localhost " + InetAddress.getLocalHost().getHostName() + "\n";
        writeAtomically(hosts, self + PUBLIC + " hooks.example.test\n10.20.30.40 private.example.test\n");
        // the JVMs resolve names from this file; the address cache is off, so a rewrite is seen at the next lookup.
        // Webhook settings are the defaults: private networks refused, retries after 1 s, 2 s, ...
        Map<String, String> overrides = Map.of("jdk.net.hosts.file", hosts.toString(),
                "sun.net.inetaddr.ttl", "0", "sun.net.inetaddr.negative.ttl", "0");
        try (Cluster cluster = Cluster.start("ssrf", overrides)) {
            String tenant = "rebind-" + UUID.randomUUID().toString().substring(0, 6);
            Invariants.newsletter(cluster, tenant);
            String app = Invariants.token(cluster, tenant, "app");
            String marketing = Invariants.token(cluster, tenant, "marketing");
            assertEquals(201, cluster.send("consent-service", "POST", "/v1/subjects/anna/consents", app,
                    "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}").statusCode());

            // this cluster's consumers start at the beginning of the shared broker's topics, behind every earlier test's
            // events: the grant's decision shows they have caught up, so the delivery below is not waiting on them
            await("preference-service caught up with the shared broker").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200)).until(() -> JSON.readTree(cluster.send("preference-service", "POST",
                            "/v1/decisions", marketing, "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"anna\"}")
                            .body()).at("/decisions/0/decision").asText(), "ALLOW"::equals);

            String url = "http://hooks.example.test:" + receiver.getAddress().getPort() + "/hook";
            HttpResponse<String> registered = cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                    "{\"url\":\"" + url + "\"}");
            assertEquals(201, registered.statusCode(), "the name maps to a public address: " + registered.body());
            String id = JSON.readTree(registered.body()).path("id").asText();
            HttpResponse<String> viaFile = cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                    "{\"url\":\"http://private.example.test/hook\"}");
            assertEquals(400, viaFile.statusCode(), "the service resolves names from the test's hosts file: " + viaFile.body());
            assertTrue(viaFile.body().contains("private.example.test resolves to 10.20.30.40"), viaFile.body());

            writeAtomically(hosts, self + "127.0.0.1 hooks.example.test\n");
            assertEquals(201, cluster.send("consent-service", "POST", "/v1/subjects/anna/consents", app,
                    "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}").statusCode());

            JsonNode delivery = await("the delivery tried and retried, or over").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> JSON.readTree(cluster.send("preference-service", "GET", "/v1/webhooks/" + id + "/deliveries",
                            marketing, null).body()).path("deliveries"), d -> d.size() > 0
                            && (d.get(0).path("attempts").asInt() >= 2 || !"PENDING".equals(d.get(0).path("status").asText()))).get(0);
            assertEquals(List.of(), received, "the receiver behind the rebound name was never called");
            assertEquals("io.samtykke.consent.withdrawn.v1", delivery.path("eventType").asText());
            assertEquals("PENDING", delivery.path("status").asText(), "failed, to be retried: " + delivery);
            String why = "address not allowed: hooks.example.test resolves to 127.0.0.1, a loopback address (127.0.0.0/8)";
            assertEquals(why, delivery.path("lastError").asText(), delivery.toString());
            assertTrue(delivery.path("attemptLog").size() >= 2, delivery.toString());
            for (JsonNode attempt : delivery.path("attemptLog")) {
                assertEquals(why, attempt.path("error").asText(), delivery.toString());
                assertTrue(!attempt.hasNonNull("statusCode"), "no request was made: " + delivery);
            }
            JsonNode lag = JSON.readTree(cluster.send("preference-service", "GET", "/v1/webhooks/" + id, marketing, null).body()).path("lag");
            assertEquals(0, lag.path("delivered").asLong(), lag.toString());
            assertEquals(1, lag.path("pending").asLong(), lag.toString());
            System.out.printf("webhook targets: a name rebound to 127.0.0.1 after registration: %d attempts refused "
                    + "before connecting, the receiver got nothing%n", delivery.path("attemptLog").size());
        } finally {
            receiver.stop(0);
        }
    }

    private static String list(Cluster cluster, String token) throws Exception {
        HttpResponse<String> r = cluster.send("preference-service", "GET", "/v1/webhooks", token, null);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Replaces the file in one step, so a lookup never reads it half written. */
    private static void writeAtomically(Path file, String text) throws Exception {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), text);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
