package io.github.citusjdbc.spring.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The example service behind Spring Security's OAuth2 resource server with
 * {@code citus.tenant.jwt-claim=tenant}, on the test kit's real Citus cluster: tokens are signed here
 * with an RSA key made for the test, and the service verifies them with its public key. The verified
 * claim names the tenant whose schema every read uses, also in a {@code Callable}; a token signed by
 * another key gets 401 and runs no SQL; a header or path naming another tenant than the claim, or any
 * tenant when the token has no claim, gets 403; a claim that is not a tenant name gets 400 without
 * the name. Tenant {@code jwt_a} holds one note, {@code jwt_b} two, so each answer shows whose schema
 * it read.
 */
@SpringBootTest(classes = NotesApplication.class, properties = {"spring.main.banner-mode=off",
        "citus.tenant.jwt-claim=tenant", "citus.tenant.path-variable=tenant", "citus.tenant.header=X-Tenant",
        "spring.application.name=notes-jwt", "spring.task.execution.pool.core-size=1",
        "spring.task.execution.thread-name-prefix=jwt-async-"})
@AutoConfigureMockMvc
@Import(TenantFromJwtTest.TokenSecurity.class)
class TenantFromJwtTest {

    private static final String A = "jwt_a";
    private static final String B = "jwt_b";
    private static final KeyPair ISSUER = rsa();
    private static final KeyPair STRANGER = rsa();
    private static LocalCluster cluster;
    private final ObjectMapper json = new ObjectMapper();

    @Autowired
    private MockMvc mvc;
    @Autowired
    private MeterRegistry meters;
    @Autowired
    @Qualifier("applicationTaskExecutor")
    private ThreadPoolTaskExecutor executor;

    /** The application's security, as a resource server would have it; only the key is the test's. */
    @TestConfiguration(proxyBeanMethods = false)
    static class TokenSecurity {
        @Bean
        SecurityFilterChain api(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .oauth2ResourceServer(server -> server.jwt(Customizer.withDefaults()))
                    .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                    .build();
        }

        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withPublicKey((RSAPublicKey) ISSUER.getPublic()).build();
        }
    }

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry r) throws SQLException {
        cluster = LocalCluster.shared();
        ClusterNode worker = cluster.worker(1);
        String table = "CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text)";
        cluster.citus().createTenant(A, worker, List.of(table, "INSERT INTO notes (body) VALUES ('note of jwt_a')"),
                cluster.user());
        cluster.citus().createTenant(B, worker, List.of(table,
                "INSERT INTO notes (body) VALUES ('note of jwt_b'), ('second note of jwt_b')"), cluster.user());
        r.add("spring.datasource.url", () -> "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database());
        r.add("spring.datasource.username", cluster::user);
        r.add("spring.datasource.password", cluster::password);
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(A);
        cluster.citus().dropTenant(B);
    }

    @Test
    void theVerifiedClaimNamesTheTenantOfEachRequest() throws Exception {
        Map<?, ?> countA = ok(get("/notes/count").with(bearer(ISSUER, Map.of("tenant", A))));
        assertEquals(A, countA.get("tenant"), countA.toString());
        assertEquals(1, ((Number) countA.get("count")).intValue(), "jwt_a's schema: " + countA);

        Map<?, ?> countB = ok(get("/notes/count").with(bearer(ISSUER, Map.of("tenant", B))));
        assertEquals(B, countB.get("tenant"), countB.toString());
        assertEquals(2, ((Number) countB.get("count")).intValue(), "jwt_b's schema: " + countB);

        Map<?, ?> note = ok(get("/tenants/" + A + "/notes/1").with(bearer(ISSUER, Map.of("tenant", A))));
        assertEquals("note of jwt_a", note.get("body"), "the path may name the claim's tenant");
        Map<?, ?> same = ok(get("/notes/count").header("X-Tenant", B).with(bearer(ISSUER, Map.of("tenant", B))));
        assertEquals(B, same.get("tenant"), "so may the header");
        assertEquals(null, CitusTenants.current());
    }

    @Test
    void aTokenSignedByAnotherKeyGets401AndRunsNoSql() throws Exception {
        double units = units();
        mvc.perform(get("/notes/count").with(bearer(STRANGER, Map.of("tenant", A)))).andExpect(status().isUnauthorized());
        mvc.perform(post("/tenants/" + A + "/notes").content("forged").with(bearer(STRANGER, Map.of("tenant", A))))
                .andExpect(status().isUnauthorized());
        assertEquals(units, units(), 0.0, "no read-only unit ran");
        Map<?, ?> countA = ok(get("/notes/count").with(bearer(ISSUER, Map.of("tenant", A))));
        assertEquals(1, ((Number) countA.get("count")).intValue(), "nothing written: " + countA);
    }

    @Test
    void aHeaderOrPathNamingAnotherTenantThanTheClaimGets403BeforeAnySql() throws Exception {
        double units = units();
        forbidden(get("/notes/count").header("X-Tenant", B).with(bearer(ISSUER, Map.of("tenant", A))));
        forbidden(get("/tenants/" + B + "/notes/1").with(bearer(ISSUER, Map.of("tenant", A))));
        forbidden(get("/tenants/" + A + "/notes/1").header("X-Tenant", B).with(bearer(ISSUER, Map.of("tenant", A))));
        forbidden(get("/notes/count").header("X-Tenant", A).with(bearer(ISSUER, Map.of("scope", "notes"))));
        assertEquals(units, units(), 0.0, "no read-only unit ran");
        assertEquals(null, CitusTenants.current());
    }

    @Test
    void aClaimThatIsNotATenantNameGets400WithoutTheName() throws Exception {
        for (Object claim : new Object[] {"no such;tenant", List.of(A), 7}) {
            MvcResult refused = mvc.perform(get("/notes/count").with(bearer(ISSUER, Map.of("tenant", claim))))
                    .andExpect(status().isBadRequest()).andReturn();
            assertEquals("invalid tenant name", refused.getResponse().getErrorMessage(), String.valueOf(claim));
        }
        assertEquals(null, CitusTenants.current());
    }

    @Test
    void aCallableRunsInTheClaimsTenant() throws Exception {
        MvcResult started = mvc.perform(get("/tenants/" + B + "/notes/2/async").with(bearer(ISSUER, Map.of("tenant", B))))
                .andExpect(request().asyncStarted()).andReturn();
        assertEquals(null, CitusTenants.current());
        Map<?, ?> note = json.readValue(mvc.perform(asyncDispatch(started)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(), Map.class);
        assertEquals("second note of jwt_b", note.get("body"), note.toString());
        assertEquals(B, note.get("tenant"));
        assertTrue(((String) note.get("thread")).startsWith("jwt-async-"), note.toString());
        assertEquals(null, CitusTenants.current());
        assertEquals(null, executor.submit(CitusTenants::current).get());
    }

    private Map<?, ?> ok(RequestBuilder request) throws Exception {
        return json.readValue(mvc.perform(request).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(), Map.class);
    }

    private void forbidden(RequestBuilder request) throws Exception {
        MvcResult refused = mvc.perform(request).andExpect(status().isForbidden()).andReturn();
        assertEquals("tenant not granted by the token", refused.getResponse().getErrorMessage());
    }

    /** @return every routed unit of work so far ({@code citus.units}, all reasons) */
    private double units() {
        return meters.find("citus.units").functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    /** @return the request with {@code Authorization: Bearer} and a token for {@code claims} signed with {@code key} */
    private static RequestPostProcessor bearer(KeyPair key, Map<String, Object> claims) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().subject("someone").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300)));
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set.build());
        try {
            jwt.sign(new RSASSASigner(key.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        String token = jwt.serialize();
        return request -> {
            request.addHeader("Authorization", "Bearer " + token);
            return request;
        };
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
