package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;

import java.util.List;
import java.util.OptionalInt;

/** The {@link CitusOps} of a plain PostgreSQL server: there is no Citus, and every operation says so. */
public final class NoCitus implements CitusOps {
    @Override
    public String describe() {
        return "plain PostgreSQL (no Citus: search_path not reported)";
    }

    @Override
    public boolean isRealCitus() {
        return false;
    }

    private static UnsupportedOperationException none() {
        return new UnsupportedOperationException("plain PostgreSQL server (LocalCluster.Options.plainPostgres()): no Citus");
    }

    @Override
    public void install(List<ClusterNode> primaries, List<ClusterNode> standbys) {
        throw none();
    }

    @Override
    public void createTenant(String schema, ClusterNode holder, List<String> ddl, String grantTo) {
        throw none();
    }

    @Override
    public void tenantDdl(String schema, List<String> ddl) {
        throw none();
    }

    @Override
    public void moveTenant(String schema, ClusterNode target, String transferMode) {
        throw none();
    }

    @Override
    public OptionalInt tenantGroup(String schema) {
        throw none();
    }

    @Override
    public List<String> tenants() {
        throw none();
    }

    @Override
    public void dropTenant(String schema) {
        throw none();
    }

    @Override
    public int addNode(ClusterNode node) {
        throw none();
    }

    @Override
    public void disableNode(ClusterNode node) {
        throw none();
    }

    @Override
    public void activateNode(ClusterNode node) {
        throw none();
    }

    @Override
    public void removeNode(ClusterNode node) {
        throw none();
    }

    @Override
    public void failover(ClusterNode oldPrimary, ClusterNode promoted) {
        throw none();
    }
}
