package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.system.Flood.Limit;
import io.samtykke.system.Flood.Target;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits answer 429 with Retry-After, per tenant and client, across instances. A cluster with
 * {@code samtykke.rate-limit.instances=2} and two consent-service instances; clients flood them round-robin (as a load
 * balancer spreads them), all at once for {@value #FLOOD_SECONDS} s: each client gets what its tenant's limit allows
 * over both instances together (its burst and the rate over the measured time, see {@link Flood}), no more and no
 * less, whatever the others do; then 429 problem+json with a Retry-After after which it is let through again. The
 * single preference-service and audit-service each enforce their half and answer the same way.
 */
class RateLimitAcrossInstancesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INSTANCES = 2;
    private static final int FLOOD_SECONDS = 3;
    private static final Limit SMALL = new Limit(2, 6);
    private static final Limit BIG = new Limit(6, 18);
    private static final Limit DEFAULTS = new Limit(4, 10);
    /** The public paths' limit per client address (confirmation links, one-click unsubscribe). */
    private static final Limit PUBLIC = new Limit(1, 5);
    private static final Pattern CHECKPOINT = Pattern.compile("[^\n]+\n\\d+\n[A-Za-z0-9+/]+=*\n\n\u2014 [^\n]+\n", Pattern.DOTALL);

    @Test
    void eachClientGetsItsTenantsLimitOverBothInstancesThen429WithRetryAfter() throws Exception {
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put("samtykke.rate-limit.instances", Integer.toString(INSTANCES));
        limits.put("samtykke.rate-limit.defaults.requests-per-second", Double.toString(DEFAULTS.perSecond()));
        limits.put("samtykke.rate-limit.defaults.burst", Integer.toString(DEFAULTS.burst()));
        limits.put("samtykke.rate-limit.tenants.\"rl-small\".requests-per-second", Double.toString(SMALL.perSecond()));
        limits.put("samtykke.rate-limit.tenants.\"rl-small\".burst", Integer.toString(SMALL.burst()));
        limits.put("samtykke.rate-limit.tenants.\"rl-big\".requests-per-second", Double.toString(BIG.perSecond()));
        limits.put("samtykke.rate-limit.tenants.\"rl-big\".burst", Integer.toString(BIG.burst()));
        limits.put("samtykke.rate-limit.tenants.\"rl-warm-up\".requests-per-second", "100000");
        limits.put("samtykke.rate-limit.tenants.\"rl-warm-up\".burst", "100000");
        Map<String, Map<String, String>> publicLimits = Map.of(
                "consent-service", Map.of("samtykke.double-opt-in.requests-per-second", Double.toString(PUBLIC.perSecond()),
                        "samtykke.double-opt-in.burst", Integer.toString(PUBLIC.burst())),
                "preference-service", Map.of("samtykke.public-rate-limit.requests-per-second", Double.toString(PUBLIC.perSecond()),
                        "samtykke.public-rate-limit.burst", Integer.toString(PUBLIC.burst())));
        try (Cluster cluster = Cluster.start("ratelimit", limits, publicLimits)) {
            cluster.startSecond("consent-service");
            for (String tenant : List.of("rl-small", "rl-big", "rl-default", "rl-default/eu")) {
                String admin = cluster.sign(Cluster.claims(tenant, "admin-client", "admin"));
                assertEquals(201, cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin,
                        "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}")
                        .statusCode(), tenant);
            }
            documents429("consent-service", "/v1/purposes", cluster);
            documents429("preference-service", "/v1/topics", cluster);
            documents429("audit-service", "/v1/checkpoint", cluster);

            List<Target> consent = List.of(purposes("consent-service"), purposes("consent-service#2"));
            Target topics = new Target("preference-service", "/v1/topics", body -> json(body).path("topics").isArray());
            Target checkpoint = new Target("audit-service", "/v1/checkpoint", body -> CHECKPOINT.matcher(body).matches());
            warmUp(cluster, consent);
            String client1 = cluster.sign(Cluster.claims("rl-small", "client-1", "app", "auditor"));
            Client small = new Client("rl-small client-1", client1, consent, SMALL, SMALL.share(INSTANCES));
            Client big = acrossBoth(cluster, "rl-big", "client-1", consent, BIG);
            List<Client> clients = List.of(small, big,
                    acrossBoth(cluster, "rl-small", "client-2", consent, SMALL),
                    acrossBoth(cluster, "rl-default", "client-1", consent, DEFAULTS),
                    // one tenant's name extending another's: tenant and subject must not run together into one key
                    acrossBoth(cluster, "rl-default", "eu/client-3", consent, DEFAULTS),
                    acrossBoth(cluster, "rl-default/eu", "client-3", consent, DEFAULTS),
                    // alone, an instance gives its share: the documented "errs towards fewer" when requests are not spread
                    new Client("rl-small client-1 on preference-service alone", client1, List.of(topics),
                            SMALL.share(INSTANCES), SMALL.share(INSTANCES)),
                    new Client("rl-small client-1 on audit-service alone", client1, List.of(checkpoint),
                            SMALL.share(INSTANCES), SMALL.share(INSTANCES)));
            Map<Client, Flood> floods = allAtOnce(cluster, clients);
            floods.forEach(RateLimitAcrossInstancesTest::report);
            floods.forEach(RateLimitAcrossInstancesTest::checkBounds);
            assertTrue(floods.get(big).answered() > floods.get(small).answered() * 2,
                    "a tenant with three times the limit gets more than twice as much");

            for (Target target : List.of(consent.get(0), topics, checkpoint)) {
                Duration waited = retryAfterLetsThrough(cluster, client1, target, SMALL.share(INSTANCES));
                System.out.printf("rate limits: %s let rl-small's client-1 through again after Retry-After %d s%n",
                        target.service(), waited.toSeconds());
            }

            // the public paths take no token: one address gets the burst, then 429, then through again after Retry-After
            publicPathLimited(cluster, "consent-service", "/v1/confirmations/" + UUID.randomUUID(), 404);
            publicPathLimited(cluster, "preference-service", "/unsubscribe/not-a-signed-link", 403);
            // and the tokens' limits are not the addresses': a client with a token is still answered on the same address
            assertEquals(200, cluster.send("consent-service", "GET", "/v1/purposes",
                    cluster.sign(Cluster.claims("rl-big", "after-public", "app")), null).statusCode());
        }
    }

    /** A flooding client: what it may get in all ({@code limit}) and what each instance it reaches enforces ({@code share}). */
    private record Client(String name, String token, List<Target> targets, Limit limit, Limit share) {
    }

    private static Client acrossBoth(Cluster cluster, String tenant, String subject, List<Target> consent, Limit limit) {
        return new Client(tenant + " " + subject, cluster.sign(Cluster.claims(tenant, subject, "app")), consent, limit,
                limit.share(INSTANCES));
    }

    private static Target purposes(String service) {
        return new Target(service, "/v1/purposes", body -> {
            List<String> keys = new ArrayList<>();
            json(body).path("purposes").forEach(p -> keys.add(p.path("key").asText()));
            return keys.equals(List.of("newsletter"));
        });
    }

    /**
     * Requests of a tenant without a limit worth the name until the consent-service instances answer at full speed, so
     * the flooding clients, all at once on a busy machine, do send faster than their limits.
     */
    private static void warmUp(Cluster cluster, List<Target> consent) throws Exception {
        String token = cluster.sign(Cluster.claims("rl-warm-up", "warm-up", "app"));
        for (int i = 0; i < 400; i++) {
            assertEquals(200, cluster.send(consent.get(i % consent.size()).service(), "GET", "/v1/purposes", token, null).statusCode());
        }
    }

    /** Each client's flood, all at once. */
    private static Map<Client, Flood> allAtOnce(Cluster cluster, List<Client> clients) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(clients.size());
        try {
            Map<Client, Future<Flood>> running = new LinkedHashMap<>();
            for (Client c : clients) {
                running.put(c, threads.submit(() -> Flood.run(cluster, c.token(), c.targets(), Duration.ofSeconds(FLOOD_SECONDS))));
            }
            Map<Client, Flood> done = new LinkedHashMap<>();
            for (Map.Entry<Client, Future<Flood>> r : running.entrySet()) {
                done.put(r.getKey(), r.getValue().get());
            }
            return done;
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * At most {@code limit} over the flood, at least what each instance's {@code share} must have let through, and every
     * instance refused the client in the documented way (so the client did send faster than its limit).
     */
    private static void checkBounds(Client c, Flood f) {
        assertTrue(f.answered() <= f.most(c.limit()), String.format("%s: %d answered in %.2f s, more than %s allows (%.1f)",
                c.name(), f.answered(), f.seconds(), c.limit(), f.most(c.limit())));
        for (Flood.Instance i : f.instances) {
            assertTrue(i.refused > 0, c.name() + " was never refused by " + i.target.service() + ": it sent too slowly to test");
            assertRateLimited(i.lastRefusal, i.target.path(), c.share());
        }
        assertTrue(f.answered() >= f.least(c.share()), String.format("%s: %d answered in %.2f s, fewer than %s per instance allows (%.1f)",
                c.name(), f.answered(), f.seconds(), c.share(), f.least(c.share())));
    }

    /** 429, problem+json of type rate-limited, and a Retry-After in whole seconds no longer than one token of {@code share} takes. */
    private static void assertRateLimited(HttpResponse<String> r, String path, Limit share) {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""));
        JsonNode problem = json(r.body());
        assertEquals("https://samtykke.io/problems/rate-limited", problem.path("type").asText(), r.body());
        assertEquals(429, problem.path("status").asInt(), r.body());
        assertEquals("Too many requests", problem.path("title").asText(), r.body());
        assertEquals(path, problem.path("instance").asText(), r.body());
        String retryAfter = r.headers().firstValue("Retry-After").orElseThrow(() -> new AssertionError("no Retry-After: " + r.headers()));
        assertTrue(retryAfter.matches("[0-9]+"), "Retry-After in whole seconds: " + retryAfter);
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= Math.ceil(1 / share.perSecond()),
                "Retry-After " + seconds + " s, while a token of " + share + " comes back within " + 1 / share.perSecond() + " s");
    }

    /** Asks until refused, waits the Retry-After, and is answered; returns the wait. */
    private static Duration retryAfterLetsThrough(Cluster cluster, String token, Target target, Limit share) throws Exception {
        HttpResponse<String> refused = null;
        for (int i = 0; i < share.burst() + 10 && refused == null; i++) {
            HttpResponse<String> r = cluster.send(target.service(), "GET", target.path(), token, null);
            if (r.statusCode() != 200) {
                refused = r;
            }
        }
        assertTrue(refused != null, target + " let more than a burst and ten through at once");
        assertRateLimited(refused, target.path(), share);
        Duration wait = Duration.ofSeconds(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()));
        Thread.sleep(wait.toMillis());
        HttpResponse<String> again = cluster.send(target.service(), "GET", target.path(), token, null);
        assertEquals(200, again.statusCode(), target + " after Retry-After: " + again.body());
        assertTrue(target.answered().test(again.body()), again.body());
        return wait;
    }

    /**
     * {@code path} of {@code service}, asked without a token from this test's one address: the first {@link #PUBLIC}
     * burst is answered with {@code answer} (an unknown link), then within ten more a 429 problem+json with Retry-After,
     * after which the address is answered again.
     */
    private static void publicPathLimited(Cluster cluster, String service, String path, int answer) throws Exception {
        for (int i = 0; i < PUBLIC.burst(); i++) {
            HttpResponse<String> r = cluster.send(service, "GET", path, null, null);
            assertEquals(answer, r.statusCode(), service + " " + path + " request " + (i + 1) + " of the burst: " + r.body());
        }
        HttpResponse<String> refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            HttpResponse<String> r = cluster.send(service, "GET", path, null, null);
            if (r.statusCode() != answer) {
                refused = r;
            }
        }
        assertTrue(refused != null, service + " " + path + " answered a burst and ten more from one address");
        assertRateLimited(refused, path, PUBLIC);
        Thread.sleep(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) * 1000);
        assertEquals(answer, cluster.send(service, "GET", path, null, null).statusCode(), service + " " + path + " after Retry-After");
        System.out.printf("rate limits: %s %s refused one address after its burst of %d, and let it through after Retry-After%n",
                service, path.replaceAll("/[^/]+$", "/…"), PUBLIC.burst());
    }

    /** The 429 an operation's OpenAPI document promises: problem+json with an integer Retry-After header. */
    private static void documents429(String service, String path, Cluster cluster) throws Exception {
        JsonNode response = ApiDocument.of(service, cluster.service(service).url("")).response("GET", path, "429");
        assertEquals("integer", response.at("/headers/Retry-After/schema/type").asText(), service + " " + path + ": " + response);
        assertTrue(response.path("content").has("application/problem+json"), service + " " + path + ": " + response);
    }

    private static void report(Client c, Flood f) {
        System.out.printf("rate limits: %s, limit %s: %d answered, %d refused in %.2f s (at least %.1f, at most %.1f)%n",
                c.name(), c.limit(), f.answered(), f.refused(), f.seconds(), f.least(c.share()), f.most(c.limit()));
        f.instances.forEach(i -> System.out.printf("  %s: %d answered, %d refused%n", i.target.service(), i.answered, i.refused));
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
