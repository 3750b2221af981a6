package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.routing.RoutingSettings;
import io.github.citusjdbc.tenant.PinningMode;
import io.github.citusjdbc.tenant.TenantPath;
import io.github.citusjdbc.tenant.TenantResolvers;
import io.github.citusjdbc.tenant.TenantSettings;
import io.github.citusjdbc.topology.TopologySettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Turns a {@code jdbc:citus:} URL and {@link Properties} into a {@link DriverConfig}, as
 * {@link DriverConfig#parse} documents: merges them (the URL query wins over {@code Properties},
 * which win over the defaults), validates every {@link CitusProperty} and derives the tenant,
 * routing and topology settings from them, removes the driver's keys, and leaves the pgjdbc keys
 * the driver owns to {@link OwnedPgjdbcLimits}. Runs once per {@link DriverConfig}, never per
 * statement; its only side effects are the WARN {@link UnknownKeys} may log and loading a
 * configured {@code tenantResolver} class.
 */
final class ConfigParser {

    private ConfigParser() {
    }

    static DriverConfig parse(String url, Properties info) throws SQLException {
        ParsedUrl parsed = UrlParser.parse(url);
        OwnedPgjdbcLimits.rejectUrlPathKeys(parsed.query());
        Properties merged = new Properties();
        if (info != null) {
            for (String key : info.stringPropertyNames()) {
                merged.setProperty(key, info.getProperty(key));
            }
        }
        OwnedPgjdbcLimits.dropUrlPathKeys(merged); // the URL path decides
        merged.putAll(parsed.query());

        UnknownKeys.check(merged);
        Pooler pooler = Pooler.from(merged);
        for (CitusProperty property : CitusProperty.values()) {
            property.getString(merged); // validate every key of ours, even those not used yet
        }
        TenantSettings tenants = tenantSettings(merged, pooler);
        RoutingSettings routing = RoutingSettings.parse(merged);
        TopologySettings topology = topologySettings(merged, routing);
        String clusterName = CitusProperty.CLUSTER_NAME.getString(merged).trim();
        if (clusterName.isEmpty()) {
            throw CitusProperty.CLUSTER_NAME.invalidValue(clusterName, "must not be empty");
        }
        Duration idleValidation = CitusProperty.NODE_IDLE_VALIDATION.getDuration(merged);
        Duration readYourWritesWait = CitusProperty.READ_YOUR_WRITES_WAIT.getDuration(merged);
        boolean readYourWrites = "tenant".equals(CitusProperty.READ_YOUR_WRITES.getString(merged).trim());
        int metricsTenants = metricsTenants(merged);
        String failoverWaitText = CitusProperty.FAILOVER_WAIT.get(merged);
        Duration failoverWait = failoverWaitText == null || failoverWaitText.isBlank() ? null
                : CitusProperty.FAILOVER_WAIT.getDuration(merged);
        String addressMap = CitusProperty.NODE_ADDRESS_MAP.get(merged);
        addressMap = addressMap == null ? "" : addressMap.replace(" ", "");
        for (CitusProperty property : CitusProperty.values()) {
            merged.remove(property.getName());
        }
        Boolean readOnly = OwnedPgjdbcLimits.takeReadOnly(merged);
        OwnedPgjdbcLimits.limit(merged, pooler, parsed.hosts().size());
        return new DriverConfig(parsed, pooler, tenants, readOnly, merged, routing, topology, clusterName,
                idleValidation, addressMap, readYourWrites ? readYourWritesWait : null, metricsTenants, failoverWait);
    }

    private static int metricsTenants(Properties merged) throws SQLException {
        String v = CitusProperty.METRICS_TENANTS.getString(merged).trim();
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CitusProperty.METRICS_TENANTS.invalidValue(v, "expected a number of tenants from 0 to 1000");
    }

    private static TopologySettings topologySettings(Properties merged, RoutingSettings routing) throws SQLException {
        Duration refresh = CitusProperty.TOPOLOGY_REFRESH_INTERVAL.getDuration(merged);
        Duration staleness = CitusProperty.TOPOLOGY_MAX_STALENESS.getDuration(merged);
        if (staleness.compareTo(refresh) < 0) {
            throw CitusProperty.TOPOLOGY_MAX_STALENESS.invalidValue(CitusProperty.TOPOLOGY_MAX_STALENESS.get(merged),
                    "must not be shorter than topologyRefreshInterval (" + refresh + ")");
        }
        Duration firstLoad = CitusProperty.TOPOLOGY_INITIAL_LOAD_TIMEOUT.getDuration(merged);
        TopologySettings d = TopologySettings.defaults();
        // Early refreshes at most once per refresh interval, and never less often than the default allows.
        Duration early = refresh.compareTo(d.earlyRefreshMinInterval()) < 0 ? refresh : d.earlyRefreshMinInterval();
        return new TopologySettings(refresh, staleness, firstLoad, early, d.idleTimeout(),
                routing.nodeConnectTimeout(), d.queryTimeout(), routing.addressMap());
    }

    private static TenantSettings tenantSettings(Properties merged, Pooler pooler) throws SQLException {
        PinningMode mode = PinningMode.of(CitusProperty.TENANT_PINNING.getString(merged));
        if (mode == PinningMode.AUTO) {
            // A session SET leaks to other clients behind a transaction pooler that does not track
            // search_path; behind one that does, session pinning tags each statement's text with its tenant.
            mode = pooler.leaksSearchPath() ? PinningMode.STATEMENT : PinningMode.SESSION;
        }
        if (mode == PinningMode.SESSION && pooler.leaksSearchPath()) {
            throw CitusProperty.TENANT_PINNING.invalidValue(mode.value(), "conflicts with pooler=" + pooler.value()
                    + ": a session search_path leaks to other clients behind a transaction pooler; use transaction");
        }
        List<String> shared = schemaList(CitusProperty.TENANT_SHARED_SCHEMAS.getString(merged),
                CitusProperty.TENANT_SHARED_SCHEMAS.getName());
        try {
            TenantPath.of("x_probe", shared); // validates names and duplicates
        } catch (SQLException e) {
            throw CitusProperty.TENANT_SHARED_SCHEMAS.invalidValue(
                    CitusProperty.TENANT_SHARED_SCHEMAS.getString(merged), e.getMessage());
        }
        TenantPath defaultTenant = null;
        String schema = (String) merged.remove(OwnedPgjdbcProperty.CURRENT_SCHEMA.key());
        if (schema != null && !schema.isBlank()) {
            // pgjdbc's list form "a,b": a is the default tenant, b... are searched after it.
            List<String> names = schemaList(schema, OwnedPgjdbcProperty.CURRENT_SCHEMA.key());
            List<String> rest = new ArrayList<>(names.subList(1, names.size()));
            for (String s : shared) {
                if (!rest.contains(s) && !s.equals(names.get(0))) {
                    rest.add(s);
                }
            }
            try {
                defaultTenant = TenantPath.of(names.get(0), rest);
            } catch (SQLException e) {
                throw OwnedPgjdbcLimits.invalid(OwnedPgjdbcProperty.CURRENT_SCHEMA, schema, e.getMessage());
            }
        }
        return new TenantSettings(mode, TenantResolvers.forName(CitusProperty.TENANT_RESOLVER.getString(merged)),
                shared, defaultTenant);
    }

    private static List<String> schemaList(String value, String key) throws SQLException {
        List<String> names = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return names;
        }
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new SQLException("Invalid value for property " + key + ": '" + value + "'; empty schema name",
                        CitusSqlState.INVALID_PARAMETER_VALUE.getState());
            }
            names.add(name);
        }
        return names;
    }
}
