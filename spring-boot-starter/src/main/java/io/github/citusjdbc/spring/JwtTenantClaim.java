package io.github.citusjdbc.spring;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * {@code citus.tenant.jwt-claim}: a claim of the JWT that Spring Security's resource server has
 * already verified for the request ({@link JwtAuthenticationToken}, or any authentication whose
 * principal is a {@link Jwt}). The Authorization header is never read here: an unverified token
 * names no tenant. Referenced only by {@code CitusAutoConfiguration.TenantFromJwt}, which exists
 * only when these classes are present. Thread-safe (stateless but for the claim's name).
 */
final class JwtTenantClaim implements VerifiedClaim {

    private final String claim;

    JwtTenantClaim(String claim) {
        this.claim = claim;
    }

    @Override
    public Object value() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated()) {
            return null;
        }
        Jwt jwt = auth instanceof JwtAuthenticationToken token ? token.getToken()
                : auth.getPrincipal() instanceof Jwt principal ? principal : null;
        return jwt == null ? null : jwt.getClaims().get(claim);
    }
}
