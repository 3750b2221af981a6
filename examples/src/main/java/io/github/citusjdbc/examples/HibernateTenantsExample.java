package io.github.citusjdbc.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusReadOnly;
import io.github.citusjdbc.CitusTenantAdmin;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.examples.shop.Product;
import io.github.citusjdbc.examples.shop.PurchaseOrder;
import io.github.citusjdbc.hibernate.CitusMultiTenantConnectionProvider;
import io.github.citusjdbc.hibernate.CitusTenantIdentifierResolver;
import io.github.citusjdbc.testkit.LocalCluster;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;

import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;

/**
 * Example (b): a Hibernate schema-per-tenant application through PgBouncer in transaction mode.
 * Two tenants (distributed schemas) are created with {@link CitusTenantAdmin}; every request binds
 * its tenant with {@link CitusTenants#bind(String)}, which decides both Hibernate's tenant
 * ({@link CitusTenantIdentifierResolver}) and the driver's pin
 * ({@link CitusMultiTenantConnectionProvider}); reads run in a {@link CitusReadOnly} scope.
 */
public final class HibernateTenantsExample {
    static final List<String> TENANTS = List.of("shop_acme", "shop_globex");
    static final String DDL = "CREATE TABLE product (id bigint PRIMARY KEY, name varchar(255), pricecents bigint NOT NULL);"
            + " CREATE TABLE purchaseorder (id bigint PRIMARY KEY, product_id bigint REFERENCES product (id),"
            + " quantity integer NOT NULL)";

    private HibernateTenantsExample() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            run(cluster, System.out);
        }
    }

    static void run(LocalCluster cluster, PrintStream out) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Served.citus(cluster.bouncerJdbcUrl(cluster.coordinator())));
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(4);
        config.addDataSourceProperty("pooler", "pgbouncer-transaction");
        out.println("== Hibernate, schema per tenant, through PgBouncer (transaction pooling) ==");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            CitusTenantAdmin admin = CitusTenantAdmin.of(pool);
            for (String t : TENANTS) {
                if (admin.tenants().contains(t)) {
                    admin.dropTenant(t);
                }
                admin.createTenant(t, DDL);
                out.printf("tenant %-12s created, stored in Citus group %d%n", t, cluster.citus().tenantGroup(t).orElse(-1));
            }
            try (SessionFactory sessions = new MetadataSources(new StandardServiceRegistryBuilder()
                    .applySetting(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, new CitusMultiTenantConnectionProvider(pool))
                    .applySetting(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new CitusTenantIdentifierResolver())
                    .build())
                    .addAnnotatedClass(Product.class).addAnnotatedClass(PurchaseOrder.class)
                    .buildMetadata().buildSessionFactory()) {
                for (int i = 0; i < TENANTS.size(); i++) {
                    String t = TENANTS.get(i);
                    try (CitusTenants.Scope request = CitusTenants.bind(t); Session s = sessions.openSession()) {
                        s.beginTransaction();
                        Product p = new Product(1, t.substring(5) + " widget", 1000L * (i + 1));
                        s.persist(p);
                        s.persist(new PurchaseOrder(1, p, 3 + i));
                        s.getTransaction().commit();
                    }
                }
                for (String t : TENANTS) {
                    try (CitusTenants.Scope request = CitusTenants.bind(t); CitusReadOnly.Scope ro = CitusReadOnly.begin();
                         Session s = sessions.openSession()) {
                        s.beginTransaction();
                        List<PurchaseOrder> orders = s.createSelectionQuery(
                                "from PurchaseOrder o join fetch o.product", PurchaseOrder.class).getResultList();
                        String where = s.doReturningWork(c -> Served.by(cluster, c) + (c.isReadOnly() ? ", read-only" : ""));
                        for (PurchaseOrder o : orders) {
                            out.printf("tenant %-12s order: %d x %s at %d cents, served by %s%n", t, o.getQuantity(),
                                    o.getProduct().getName(), o.getProduct().getPriceCents(), where);
                        }
                        s.getTransaction().commit();
                    }
                }
            }
            for (String t : TENANTS) {
                admin.dropTenant(t);
            }
        }
        out.println("== Hibernate done ==");
    }
}
