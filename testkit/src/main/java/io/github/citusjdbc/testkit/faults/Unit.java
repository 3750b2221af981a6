package io.github.citusjdbc.testkit.faults;

import java.io.IOException;
import java.io.StringReader;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The kinds of unit of work the workload runs, each on a connection just borrowed from the pool with
 * the tenant set by {@code setSchema}, with its relative weight. Every unit checks what it reads
 * against the tenant it runs for and reports each row it writes to the {@link Ledger}.
 */
enum Unit {
    INSERT(12), PREPARED_INSERT(12), BATCH(6), COPY(4), CALLABLE(4), READ(20), READ_ONLY(10),
    TRANSACTION_WITH_SAVEPOINT(10), ROLLBACK(5), ERROR_THEN_ROLLBACK(3), QUERY_TIMEOUT(1), NETWORK_TIMEOUT(1);

    private static final Executor INLINE = Runnable::run;
    final int weight;

    Unit(int weight) {
        this.weight = weight;
    }

    /** What a unit needs besides its connection: its thread's state and the shared ledger. */
    interface Context {
        String tenant();

        long nextId();

        /** @return an acknowledged id this thread wrote in the tenant, or 0 */
        long lastAcknowledged();

        /** A read or write that contradicts what was written: a wrong-tenant row, a lost row. */
        void violation(String what);

        /**
         * A query timeout that did not stop its statement: a violation, except through a transaction
         * pooler, which drops the cancel request of a client waiting for a server connection.
         */
        void timeoutNotHonoured(String what);

        /** @return the COPY hook, or null when the workload was given none */
        Workload.CopyIn copyIn();
    }

    /** Runs the unit; acknowledged writes are reported by the caller from {@code written} on success. */
    void run(Connection c, Context x, List<Long> written, List<Long> rolledBack) throws SQLException, IOException {
        String tenant = x.tenant();
        switch (this) {
            case INSERT -> {
                long id = x.nextId();
                written.add(id);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO " + Workload.TABLE + " VALUES (" + id + ", '" + tenant + "', 'i')");
                }
            }
            case PREPARED_INSERT -> insert(c, tenant, x.nextId(), written);
            case BATCH -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Workload.TABLE + " VALUES (?, ?, 'b')")) {
                    for (int i = 0; i < 3; i++) {
                        long id = x.nextId();
                        written.add(id);
                        ps.setLong(1, id);
                        ps.setString(2, tenant);
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    if (counts.length != 3) {
                        x.violation("batch of 3 returned " + counts.length + " counts");
                    }
                }
            }
            case COPY -> {
                if (x.copyIn() == null) {
                    READ.run(c, x, written, rolledBack);
                    return;
                }
                StringBuilder rows = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    long id = x.nextId();
                    written.add(id);
                    rows.append(id).append('\t').append(tenant).append("\tc\n");
                }
                long n = x.copyIn().copyIn(c, "COPY " + Workload.TABLE + " (id, tenant, payload) FROM STDIN",
                        new StringReader(rows.toString()));
                if (n != 3) {
                    x.violation("COPY of 3 rows reported " + n);
                }
            }
            case CALLABLE -> {
                try (CallableStatement cs = c.prepareCall("{? = call " + Workload.FUNCTION + "()}")) {
                    cs.registerOutParameter(1, Types.VARCHAR);
                    cs.execute();
                    if (!tenant.equals(cs.getString(1))) {
                        x.violation("function of " + cs.getString(1) + " called for " + tenant);
                    }
                }
            }
            case READ -> read(c, x, true);
            case READ_ONLY -> {
                c.setReadOnly(true);
                c.setAutoCommit(false);
                read(c, x, false);
                c.commit();
            }
            case TRANSACTION_WITH_SAVEPOINT -> {
                c.setAutoCommit(false);
                long a = x.nextId();
                insert(c, tenant, a, written);
                Savepoint sp = c.setSavepoint();
                long b = x.nextId();
                insert(c, tenant, b, new ArrayList<>());
                c.rollback(sp);
                rolledBack.add(b);
                long d = x.nextId();
                insert(c, tenant, d, written);
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Workload.TABLE + " WHERE id IN ("
                             + a + ", " + b + ", " + d + ")")) {
                    rs.next();
                    if (rs.getInt(1) != 2) {
                        x.violation("transaction in " + tenant + " sees " + rs.getInt(1) + " of its 2 rows");
                    }
                }
                c.commit();
            }
            case ROLLBACK -> {
                c.setAutoCommit(false);
                long id = x.nextId();
                insert(c, tenant, id, rolledBack);
                c.rollback();
            }
            case ERROR_THEN_ROLLBACK -> {
                c.setAutoCommit(false);
                long id = x.nextId();
                insert(c, tenant, id, rolledBack);
                try {
                    insert(c, tenant, id, new ArrayList<>());
                    x.violation("a duplicate key was accepted in " + tenant);
                } catch (SQLException e) {
                    expected(e, "23505");
                }
                c.rollback();
            }
            case QUERY_TIMEOUT -> {
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(1);
                    s.execute("SELECT pg_sleep(3)");
                    x.timeoutNotHonoured("a 1 s query timeout did not stop pg_sleep(3) in " + tenant);
                } catch (SQLException e) {
                    expected(e, "57014");
                }
            }
            case NETWORK_TIMEOUT -> {
                c.setNetworkTimeout(INLINE, 300);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_sleep(2)");
                    x.violation("a 300 ms network timeout did not stop pg_sleep(2)");
                } catch (SQLException e) {
                    expected(e, "08");
                }
            }
        }
    }

    /**
     * Swallows the error the unit provokes (a SQLState starting with {@code state}) unless it is not
     * that one, or a fault's error is chained to it (pgjdbc chains the errors of one response, e.g. a
     * duplicate key then the backend's termination): those are the unit's failure.
     */
    private static void expected(SQLException e, String state) throws SQLException {
        if (e.getSQLState() == null || !e.getSQLState().startsWith(state)) {
            throw e;
        }
        for (SQLException next = e.getNextException(); next != null; next = next.getNextException()) {
            if (Workload.mayFail(next)) {
                throw next;
            }
        }
    }

    private static void insert(Connection c, String tenant, long id, List<Long> into) throws SQLException {
        into.add(id);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Workload.TABLE + " VALUES (?, ?, 'p')")) {
            ps.setLong(1, id);
            ps.setString(2, tenant);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("insert of one row did not count one");
            }
        }
    }

    /** @return what the session says when a read missed: its search_path and whether the row is there qualified */
    private static String where(Connection c, String tenant, long id) {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('search_path'), (SELECT count(*) FROM \"" + tenant
                     + "\"." + Workload.TABLE + " WHERE id = " + id + "), inet_server_port(), pg_is_in_recovery()")) {
            rs.next();
            return "search_path " + rs.getString(1) + ", qualified count " + rs.getLong(2) + ", server port "
                    + rs.getInt(3) + (rs.getBoolean(4) ? " (standby)" : "");
        } catch (SQLException e) {
            return "no diagnosis: " + e.getMessage();
        }
    }

    /**
     * Reads the tenant's newest rows (each must be the tenant's) and, on a primary, the row this thread
     * last wrote there (it must be found: it was acknowledged). A standby may lag, so a read-only unit
     * checks only whose rows it sees.
     */
    private static void read(Connection c, Context x, boolean mustSeeOwnWrite) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, tenant FROM " + Workload.TABLE + " ORDER BY id DESC LIMIT 10")) {
            while (rs.next()) {
                if (!x.tenant().equals(rs.getString(2))) {
                    x.violation("read row " + rs.getLong(1) + " of " + rs.getString(2) + " as " + x.tenant());
                }
            }
        }
        long own = x.lastAcknowledged();
        if (mustSeeOwnWrite && own != 0) {
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant FROM " + Workload.TABLE + " WHERE id = ?")) {
                ps.setLong(1, own);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !x.tenant().equals(rs.getString(1))) {
                        x.violation("acknowledged row " + own + " of " + x.tenant() + " not found; " + where(c, x.tenant(), own));
                    }
                }
            }
        }
    }
}
