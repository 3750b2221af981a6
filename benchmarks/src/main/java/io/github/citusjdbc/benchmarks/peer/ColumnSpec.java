package io.github.citusjdbc.benchmarks.peer;

/**
 * One column of the benchmark: a driver, where it connects, the SQL form it uses and its driver
 * properties, as a plain {@code a=b&c=d} string appended to the URL.
 *
 * @param id         short name used on the command line and in the results file
 * @param label      what the column is, for tables and the chart
 * @param driver     which JDBC driver
 * @param target     the node the URL names
 * @param path       directly, or through that node's PgBouncer 1.18 or 1.25
 * @param form       schema-qualified SQL, or {@code setSchema(tenant)} with unqualified SQL
 * @param readOnly   {@code setReadOnly(true)}: the column runs read workloads only
 * @param properties driver properties, {@code a=b&c=d}; empty for none
 */
public record ColumnSpec(String id, String label, Driver driver, Target target, Path path, SqlForm form,
                         boolean readOnly, String properties) {

    /** The JDBC drivers compared. */
    public enum Driver {
        PGJDBC("jdbc:postgresql://"), AWS_WRAPPER("jdbc:aws-wrapper:postgresql://"), CITUS_JDBC("jdbc:citus://");

        final String prefix;

        Driver(String prefix) {
            this.prefix = prefix;
        }
    }

    /** The node a column's URL names. */
    public enum Target {
        COORDINATOR, HOLDER, HOLDER_STANDBY
    }

    /** How a column reaches its node. */
    public enum Path {
        DIRECT, PGBOUNCER_118, PGBOUNCER_125
    }

    /** How a column names the tenant's tables. */
    public enum SqlForm {
        QUALIFIED, SET_SCHEMA
    }

    /** @return true for the column every ratio is taken against */
    public boolean baseline() {
        return id.equals(Columns.BASELINE);
    }

    /** @return whether the column can run the workload (read-only columns and standbys only read) */
    public boolean runs(Workload w) {
        if ((readOnly || target == Target.HOLDER_STANDBY) && !w.readOnly()) {
            return false;
        }
        // The mix spans tenants on both workers: no single worker is the ceiling.
        return !(w == Workload.MIX && target != Target.COORDINATOR);
    }
}
