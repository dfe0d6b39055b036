package io.samtykke.kit.ratelimit;

/**
 * A service's public endpoints that take no token (a signed link, a confirmation link), and their limit per client
 * address: a bean implementing it puts those paths under {@link AddressRateLimitFilter}.
 */
public interface PublicPaths {

    /** The limit per client address for a request to {@code path}, or null when the path is not a public one. */
    RateLimits.Limit limitFor(String path);
}
