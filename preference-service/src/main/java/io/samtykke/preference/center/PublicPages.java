package io.samtykke.preference.center;

import io.samtykke.kit.ratelimit.PublicPaths;
import io.samtykke.kit.ratelimit.RateLimits;
import io.samtykke.preference.config.PreferenceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The public pages ({@code /preferences}, {@code /unsubscribe/…}) take no token, only a signed link: limited per
 * client address to {@code samtykke.public-rate-limit.*} (429 with Retry-After, by the kit's
 * {@code AddressRateLimitFilter}).
 */
@ApplicationScoped
public class PublicPages implements PublicPaths {

    @Inject
    PreferenceConfig config;

    @Override
    public RateLimits.Limit limitFor(String path) {
        if (!path.equals("/preferences") && !path.startsWith("/unsubscribe/")) {
            return null;
        }
        PreferenceConfig.PublicRateLimit limit = config.publicRateLimit();
        return new RateLimits.Limit(limit.requestsPerSecond(), limit.burst());
    }
}
