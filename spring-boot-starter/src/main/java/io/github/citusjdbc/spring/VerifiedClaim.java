package io.github.citusjdbc.spring;

/**
 * The tenant claim of the credentials Spring Security verified for the current request. A strategy,
 * so that {@link CitusTenantInterceptor} loads no Spring Security class: the one implementation,
 * {@link JwtTenantClaim}, is created only when Spring Security's OAuth2 resource server is on the
 * class path.
 */
@FunctionalInterface
interface VerifiedClaim {

    /**
     * Called on the thread handling the request, after Spring Security's filters.
     *
     * @return the claim's value as the verified token carries it (a {@code String} for a tenant name,
     *     anything else is not one); null when the request has no verified token or the token lacks
     *     the claim
     */
    Object value();
}
