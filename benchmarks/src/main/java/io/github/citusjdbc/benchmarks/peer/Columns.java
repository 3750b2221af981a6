package io.github.citusjdbc.benchmarks.peer;

import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Driver.AWS_WRAPPER;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Driver.CITUS_JDBC;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Driver.PGJDBC;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Path.DIRECT;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Path.PGBOUNCER_118;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Path.PGBOUNCER_125;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.SqlForm.QUALIFIED;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.SqlForm.SET_SCHEMA;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Target.COORDINATOR;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Target.HOLDER;
import static io.github.citusjdbc.benchmarks.peer.ColumnSpec.Target.HOLDER_STANDBY;

import java.util.List;

/**
 * The columns of the benchmark, one line each. To add or change a column (e.g. a new
 * {@code tenantPinning} or {@code pooler} value) edit its line: the properties are the driver's
 * own, as they would appear in the URL.
 *
 * <p>Every URL also gets {@code sslmode=disable} (so that relays can count and delay), the
 * application role's credentials, and for citus-jdbc a {@code nodeAddressMap} to the path's address
 * of every node. pgjdbc through PgBouncer 1.18 needs {@code prepareThreshold=0} (named statements
 * are not safe there); citus-jdbc sets it itself with {@code pooler=pgbouncer-transaction}, where
 * its default pins per statement. Through PgBouncer 1.25 (tracking {@code search_path}, keeping
 * prepared statements) citus-jdbc declares {@code pooler=pgbouncer-transaction-tracking}, where its
 * default pins per session, each statement's text naming its tenant, and {@code cj-statement-125}
 * pins per statement (the default there until commit 264b4c4). {@code cj-transaction} is the former
 * default, per-transaction pinning, directly.
 */
public final class Columns {

    /** The column every ratio is taken against. */
    public static final String BASELINE = "pg-coord";

    private static final String BOUNCER = "pooler=pgbouncer-transaction";
    private static final String TRACKING = "pooler=pgbouncer-transaction-tracking";

    public static final List<ColumnSpec> ALL = List.of(
            c(BASELINE, "pgjdbc qualified, coordinator", PGJDBC, COORDINATOR, DIRECT, QUALIFIED, false, ""),
            c("pg-holder", "pgjdbc qualified, holder worker (ceiling)", PGJDBC, HOLDER, DIRECT, QUALIFIED, false, ""),
            c("pg-standby", "pgjdbc qualified, holder's standby (ceiling)", PGJDBC, HOLDER_STANDBY, DIRECT, QUALIFIED, true, ""),
            c("aws", "AWS JDBC wrapper qualified, coordinator", AWS_WRAPPER, COORDINATOR, DIRECT, QUALIFIED, false, "wrapperPlugins="),
            c("cj-default", "citus-jdbc default", CITUS_JDBC, COORDINATOR, DIRECT, SET_SCHEMA, false, ""),
            c("cj-transaction", "citus-jdbc tenantPinning=transaction", CITUS_JDBC, COORDINATOR, DIRECT, SET_SCHEMA, false, "tenantPinning=transaction"),
            c("cj-statement", "citus-jdbc tenantPinning=statement", CITUS_JDBC, COORDINATOR, DIRECT, SET_SCHEMA, false, "tenantPinning=statement"),
            c("cj-affinity", "citus-jdbc tenantRouting=affinity", CITUS_JDBC, COORDINATOR, DIRECT, SET_SCHEMA, false, "tenantRouting=affinity"),
            c("cj-readonly", "citus-jdbc read-only routing", CITUS_JDBC, COORDINATOR, DIRECT, SET_SCHEMA, true, ""),
            // The wrapper's cost alone: citus-jdbc's URL names the holder itself, SQL qualified, nothing routed.
            c("cj-holder", "citus-jdbc qualified, URL = holder worker (no routing)", CITUS_JDBC, HOLDER, DIRECT, QUALIFIED, false, "readRouting=primary"),
            c("pg-118", "pgjdbc qualified, PgBouncer 1.18", PGJDBC, COORDINATOR, PGBOUNCER_118, QUALIFIED, false, "prepareThreshold=0"),
            c("cj-default-118", "citus-jdbc default, PgBouncer 1.18", CITUS_JDBC, COORDINATOR, PGBOUNCER_118, SET_SCHEMA, false, BOUNCER),
            c("cj-transaction-118", "citus-jdbc tenantPinning=transaction, PgBouncer 1.18", CITUS_JDBC, COORDINATOR, PGBOUNCER_118, SET_SCHEMA, false, BOUNCER + "&tenantPinning=transaction"),
            c("cj-affinity-118", "citus-jdbc affinity, PgBouncer 1.18", CITUS_JDBC, COORDINATOR, PGBOUNCER_118, SET_SCHEMA, false, BOUNCER + "&tenantRouting=affinity"),
            c("cj-readonly-118", "citus-jdbc read-only, PgBouncer 1.18", CITUS_JDBC, COORDINATOR, PGBOUNCER_118, SET_SCHEMA, true, BOUNCER),
            c("pg-125", "pgjdbc qualified, PgBouncer 1.25", PGJDBC, COORDINATOR, PGBOUNCER_125, QUALIFIED, false, ""),
            c("pg-setschema-125", "pgjdbc setSchema, PgBouncer 1.25", PGJDBC, COORDINATOR, PGBOUNCER_125, SET_SCHEMA, false, ""),
            c("cj-default-125", "citus-jdbc default, PgBouncer 1.25", CITUS_JDBC, COORDINATOR, PGBOUNCER_125, SET_SCHEMA, false, TRACKING),
            c("cj-statement-125", "citus-jdbc tenantPinning=statement, PgBouncer 1.25", CITUS_JDBC, COORDINATOR, PGBOUNCER_125, SET_SCHEMA, false, TRACKING + "&tenantPinning=statement"),
            c("cj-affinity-125", "citus-jdbc affinity, PgBouncer 1.25", CITUS_JDBC, COORDINATOR, PGBOUNCER_125, SET_SCHEMA, false, TRACKING + "&tenantRouting=affinity"),
            c("cj-readonly-125", "citus-jdbc read-only, PgBouncer 1.25", CITUS_JDBC, COORDINATOR, PGBOUNCER_125, SET_SCHEMA, true, TRACKING));

    private Columns() {
    }

    private static ColumnSpec c(String id, String label, ColumnSpec.Driver driver, ColumnSpec.Target target,
                                ColumnSpec.Path path, ColumnSpec.SqlForm form, boolean readOnly, String properties) {
        return new ColumnSpec(id, label, driver, target, path, form, readOnly, properties);
    }

    /** @return the baseline column */
    public static ColumnSpec baseline() {
        return ALL.stream().filter(ColumnSpec::baseline).findFirst().orElseThrow();
    }
}
