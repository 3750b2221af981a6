package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalInt;

/** A {@link CitusOps} that picks real Citus or the emulation when {@link #install} names the coordinator. */
final class DeferredCitusOps implements CitusOps {
    private final AdminConnector admin;
    private final CitusOpsFactory.Credentials credentials;
    private volatile CitusOps delegate;

    DeferredCitusOps(AdminConnector admin, CitusOpsFactory.Credentials credentials) {
        this.admin = admin;
        this.credentials = credentials;
    }

    private CitusOps d() {
        CitusOps x = delegate;
        if (x == null) {
            throw new IllegalStateException("Citus implementation not chosen yet: call install(...) first");
        }
        return x;
    }

    @Override
    public String describe() {
        CitusOps x = delegate;
        return x == null ? "Citus (real or emulated: decided at install)" : x.describe();
    }

    @Override
    public boolean isRealCitus() {
        return d().isRealCitus();
    }

    @Override
    public synchronized void install(List<ClusterNode> primaries, List<ClusterNode> standbys) throws SQLException {
        if (delegate == null) {
            ClusterNode coordinator = primaries.get(0);
            try (Connection c = admin.open(coordinator)) {
                delegate = CitusOpsFactory.create(admin, coordinator, credentials, CitusOpsFactory.citusAvailable(c));
            }
        }
        delegate.install(primaries, standbys);
    }

    @Override
    public void createTenant(String schema, ClusterNode holder, List<String> ddl, String grantTo) throws SQLException {
        d().createTenant(schema, holder, ddl, grantTo);
    }

    @Override
    public void tenantDdl(String schema, List<String> ddl) throws SQLException {
        d().tenantDdl(schema, ddl);
    }

    @Override
    public void moveTenant(String schema, ClusterNode target) throws SQLException {
        d().moveTenant(schema, target);
    }

    @Override
    public OptionalInt tenantGroup(String schema) throws SQLException {
        return d().tenantGroup(schema);
    }

    @Override
    public List<String> tenants() throws SQLException {
        return d().tenants();
    }

    @Override
    public void dropTenant(String schema) throws SQLException {
        d().dropTenant(schema);
    }

    @Override
    public int addNode(ClusterNode node) throws SQLException {
        return d().addNode(node);
    }

    @Override
    public void disableNode(ClusterNode node) throws SQLException {
        d().disableNode(node);
    }

    @Override
    public void activateNode(ClusterNode node) throws SQLException {
        d().activateNode(node);
    }

    @Override
    public void removeNode(ClusterNode node) throws SQLException {
        d().removeNode(node);
    }

    @Override
    public void failover(ClusterNode oldPrimary, ClusterNode promoted) throws SQLException {
        d().failover(oldPrimary, promoted);
    }

    @Override
    public void addApplicationRole(String role, String password) throws SQLException {
        d().addApplicationRole(role, password);
    }
}
