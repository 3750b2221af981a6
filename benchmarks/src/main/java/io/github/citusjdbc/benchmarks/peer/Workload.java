package io.github.citusjdbc.benchmarks.peer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The units of work measured. Each runs in one tenant, naming its tables with {@code qualifier}
 * ({@code "tenant."} for schema-qualified SQL, empty when the tenant is pinned). Statements are
 * prepared per operation, as an application using a pool does (pgjdbc caches them per connection).
 */
public enum Workload {
    /** {@code SELECT name FROM items WHERE id = ?} (autocommit). */
    READ("read", true, false),
    /** {@code UPDATE items SET counter = counter + 1 WHERE id = ?} (autocommit). */
    UPDATE("update", false, false),
    /** {@code INSERT INTO events (payload) VALUES (?)} reading the generated bigserial key (autocommit). */
    INSERT("insert", false, false),
    /** Read, update, read, commit (autocommit off). */
    TX("tx", false, false),
    /** Point reads, each in the next of the thread's tenants, each on a connection borrowed from the pool. */
    MIX("mix", true, true);

    private final String id;
    private final boolean readOnly;
    private final boolean switchesTenants;

    Workload(String id, boolean readOnly, boolean switchesTenants) {
        this.id = id;
        this.readOnly = readOnly;
        this.switchesTenants = switchesTenants;
    }

    public String id() {
        return id;
    }

    /** @return true when the workload only reads (read-only columns run it) */
    public boolean readOnly() {
        return readOnly;
    }

    /** @return true when each operation takes the next tenant and borrows a pooled connection */
    public boolean switchesTenants() {
        return switchesTenants;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload " + id);
    }

    /** Runs one operation on row {@code key} (1..100). */
    public void run(Connection c, String qualifier, int key) throws SQLException {
        switch (this) {
            case READ, MIX -> read(c, qualifier, key);
            case UPDATE -> update(c, qualifier, key);
            case INSERT -> insert(c, qualifier, key);
            case TX -> {
                read(c, qualifier, key);
                update(c, qualifier, key);
                read(c, qualifier, key);
                c.commit();
            }
        }
    }

    private static void read(Connection c, String q, int key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + q + "items WHERE id = ?")) {
            ps.setInt(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    throw new SQLException("row " + key + " missing in " + q + "items");
                }
            }
        }
    }

    private static void update(Connection c, String q, int key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + q + "items SET counter = counter + 1 WHERE id = ?")) {
            ps.setInt(1, key);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("row " + key + " not updated in " + q + "items");
            }
        }
    }

    private static void insert(Connection c, String q, int key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + q + "events (payload) VALUES (?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "p" + key);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                if (!rs.next() || rs.getLong(1) <= 0) {
                    throw new SQLException("no generated key from " + q + "events");
                }
            }
        }
    }
}
