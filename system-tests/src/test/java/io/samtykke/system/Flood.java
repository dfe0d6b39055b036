package io.samtykke.system;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One client sending GETs as fast as it can for a while, round-robin over some service instances (as a load balancer
 * spreads them), recording per instance how many were answered and when requests left and answers came back. From
 * those times, measured on the client, follow bounds on what a token bucket on the server may have let through: the
 * server saw each request between its sending and its answer.
 */
final class Flood {

    /** A GET of {@code path} on {@code service} (e.g. "consent-service#2"); {@code answered} says a 200 body is the real answer. */
    record Target(String service, String path, Predicate<String> answered) {
    }

    /** A limit: {@code perSecond} sustained, {@code burst} at once. */
    record Limit(double perSecond, int burst) {

        /** What each of {@code instances} enforces (the kit's RateLimitConfig.share). */
        Limit share(int instances) {
            return new Limit(perSecond / instances, Math.max(1, burst / instances));
        }
    }

    /** What one instance answered this client. */
    static final class Instance {
        final Target target;
        int answered;
        int refused;
        private long firstSent = -1;
        private long firstAnswered = -1;
        private long lastRefusedSent = -1;
        HttpResponse<String> lastRefusal;

        private Instance(Target target) {
            this.target = target;
        }

        /**
         * The least a bucket of {@code share} must have let through by the last refusal: when it refused, less than one
         * token was left of its burst and of what refilled since the first request (at the latest when that was
         * answered) until the refusal (at the earliest when it was sent).
         */
        double least(Limit share) {
            return share.burst() + share.perSecond() * seconds(lastRefusedSent - firstAnswered) - 1;
        }
    }

    final List<Instance> instances = new ArrayList<>();
    private long started;
    private long ended;

    private Flood(List<Target> targets) {
        targets.forEach(t -> instances.add(new Instance(t)));
    }

    /**
     * {@code token}'s requests to {@code targets} in turn for {@code duration}. Every answer must be a 200 with the
     * real answer or a 429; anything else fails the flood.
     */
    static Flood run(Cluster cluster, String token, List<Target> targets, Duration duration) throws Exception {
        Flood flood = new Flood(targets);
        flood.started = System.nanoTime();
        long end = flood.started + duration.toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            Instance at = flood.instances.get(i % flood.instances.size());
            long sent = System.nanoTime();
            HttpResponse<String> r = cluster.send(at.target.service(), "GET", at.target.path(), token, null);
            long answered = System.nanoTime();
            if (at.firstSent < 0) {
                at.firstSent = sent;
                at.firstAnswered = answered;
            }
            if (r.statusCode() == 429) {
                at.refused++;
                at.lastRefusedSent = sent;
                at.lastRefusal = r;
            } else if (r.statusCode() == 200 && at.target.answered().test(r.body())) {
                at.answered++;
            } else {
                throw new AssertionError(at.target + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        flood.ended = System.nanoTime();
        return flood;
    }

    int answered() {
        return instances.stream().mapToInt(i -> i.answered).sum();
    }

    int refused() {
        return instances.stream().mapToInt(i -> i.refused).sum();
    }

    /** From the first request sent to the last answer. */
    double seconds() {
        return seconds(ended - started);
    }

    /** The most {@code limit} allows over all instances during the flood: its burst and what refills meanwhile. */
    double most(Limit limit) {
        return limit.burst() + limit.perSecond() * seconds();
    }

    /** The least the instances, each enforcing {@code share}, must have let through (see {@link Instance#least}). */
    double least(Limit share) {
        return instances.stream().mapToDouble(i -> i.least(share)).sum();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
