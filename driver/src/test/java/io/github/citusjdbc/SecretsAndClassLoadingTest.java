package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.hibernate.CitusMultiTenantConnectionProvider;
import io.github.citusjdbc.routing.NodeSelectors;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeSelector;
import io.github.citusjdbc.spi.TenantResolver;
import io.github.citusjdbc.tenant.TenantResolvers;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;

/**
 * Class names from the URL are not initialised before their type is checked (the pattern of pgjdbc's
 * CVE-2022-21724), and no string the driver produces carries a password or an SSL key password.
 */
class SecretsAndClassLoadingTest {

    private static final String SECRET = "s3cr3t-Pa55";
    private static final String SSL_SECRET = "k3y-Pa55";

    /** Set by the static initialisers of the classes below. */
    static final AtomicBoolean SELECTOR_TRAP_RAN = new AtomicBoolean();
    static final AtomicBoolean RESOLVER_TRAP_RAN = new AtomicBoolean();
    static final AtomicBoolean GOOD_SELECTOR_RAN = new AtomicBoolean();

    /** Not a selector; its static initialiser must never run. */
    public static final class SelectorTrap {
        static {
            SELECTOR_TRAP_RAN.set(true);
        }

        public SelectorTrap() {
        }
    }

    /** Not a resolver; its static initialiser must never run. */
    public static final class ResolverTrap {
        static {
            RESOLVER_TRAP_RAN.set(true);
        }

        public ResolverTrap() {
        }
    }

    /** A real selector: initialised (once its type is checked) and instantiated. */
    public static final class GoodSelector implements NodeSelector {
        static {
            GOOD_SELECTOR_RAN.set(true);
        }

        public GoodSelector() {
        }

        @Override
        public Node select(List<Node> candidates) {
            return candidates.get(0);
        }
    }

    @Test
    void aNodeSelectorClassOfTheWrongTypeIsNotInitialised() {
        SQLException e = assertThrows(SQLException.class, () -> NodeSelectors.create(SelectorTrap.class.getName()));
        assertEquals("22023", e.getSQLState());
        assertFalse(SELECTOR_TRAP_RAN.get(), "the static initialiser of a class that is no NodeSelector ran");
    }

    @Test
    void aTenantResolverClassOfTheWrongTypeIsNotInitialised() {
        SQLException e = assertThrows(SQLException.class, () -> TenantResolvers.forName(ResolverTrap.class.getName()));
        assertEquals("22023", e.getSQLState());
        assertFalse(RESOLVER_TRAP_RAN.get(), "the static initialiser of a class that is no TenantResolver ran");
    }

    @Test
    void aClassOfTheRightTypeIsInitialisedAndInstantiated() throws SQLException {
        assertTrue(NodeSelectors.create(GoodSelector.class.getName()) instanceof GoodSelector);
        assertTrue(GOOD_SELECTOR_RAN.get());
        TenantResolver r = TenantResolvers.forName(io.github.citusjdbc.tenant.FixedTenantResolver.class.getName());
        assertEquals(io.github.citusjdbc.tenant.FixedTenantResolver.class, r.getClass());
        assertEquals(r, TenantResolvers.forName(io.github.citusjdbc.tenant.FixedTenantResolver.class.getName()),
                "one shared instance per class");
    }

    @Test
    void theDataSourceShowsNoPasswordNorSslPassword() throws SQLException {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl("jdbc:citus://h1:5432/db?sslpassword=" + SSL_SECRET + "&pooler=none");
        ds.setUser("app");
        ds.setPassword(SECRET);
        for (String shown : List.of(ds.toString(), ds.getUrl(), ds.getURL())) {
            assertFalse(shown.contains(SECRET) || shown.contains(SSL_SECRET), shown);
            assertTrue(shown.contains("pooler=none"), shown);
        }
        ds.setSslPassword(SSL_SECRET + "2");
        assertFalse(ds.toString().contains(SSL_SECRET) || ds.getUrl().contains(SSL_SECRET), ds.toString());
        assertEquals(SSL_SECRET + "2", ds.getSslPassword(), "still configured");
    }

    @Test
    void getPropertyInfoEchoesNoSecret() {
        java.util.Properties info = new java.util.Properties();
        info.setProperty("password", SECRET);
        DriverPropertyInfo[] props = new CitusDriver().getPropertyInfo(
                "jdbc:citus://h1:5432/db?sslpassword=" + SSL_SECRET, info);
        for (DriverPropertyInfo p : props) {
            assertFalse(p.value != null && (p.value.contains(SECRET) || p.value.contains(SSL_SECRET)), p.name);
        }
    }

    @Test
    void theHibernateProviderDoesNotEchoAnotherDriversUrl() {
        CitusMultiTenantConnectionProvider provider = new CitusMultiTenantConnectionProvider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.configure(
                Map.of(AvailableSettings.URL, "jdbc:postgresql://h1/db?user=app&password=" + SECRET)));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("jdbc:citus:"), e.getMessage());
    }
}
