package io.samtykke.kit.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;

/**
 * A token bucket per key (a tenant's client, a caller's address), kept in memory by this instance: Bucket4j's
 * buckets in a Caffeine cache that forgets keys idle for {@code idle}, with at most {@code maxKeys} keys, so memory stays
 * bounded however many callers there are. Per instance: with N instances a client may send N times the limit.
 */
public final class RateLimits {

    /** A limit: {@code perSecond} sustained, {@code burst} at once. */
    public record Limit(double perSecond, int burst) {
        public Limit {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate limit needs a positive rate and a burst of at least 1");
            }
        }
    }

    /** A bucket is per key and limit, so a changed limit starts a new bucket. */
    private record BucketKey(String key, Limit limit) {
    }

    private final Cache<BucketKey, Bucket> buckets;

    public RateLimits(Duration idle, long maxKeys) {
        this.buckets = Caffeine.newBuilder().expireAfterAccess(idle).maximumSize(maxKeys).build();
    }

    /** Takes one request from {@code key}'s bucket: 0 when allowed, else the whole seconds until it would be (at least 1). */
    public long acquire(String key, Limit limit) {
        Bucket bucket = buckets.get(new BucketKey(key, limit), k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.burst())
                        // the burst refills in burst / rate seconds, greedily: the rate holds for fractions too (0.5/s)
                        .refillGreedy(limit.burst(), Duration.ofNanos((long) (limit.burst() / limit.perSecond() * 1e9)))
                        .build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return 0;
        }
        return Math.max(1, (long) Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
    }

    /** Keys held now (for tests and a gauge). */
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
