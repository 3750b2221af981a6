package io.github.citusjdbc.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The JDBC session state a logical connection tracks so that every physical connection it routes
 * to gets it: autocommit, read-only, isolation (when pgjdbc applies it), network timeout and client
 * info. The tenant is not here: {@link TenantPins} sends it with each transaction. Every change
 * bumps {@link #version()}; a physical connection whose applied version differs gets the whole
 * state before its next unit of work. Not thread-safe.
 */
final class SessionState {

    static final Executor DIRECT = Runnable::run;

    boolean autoCommit = true;
    boolean readOnly;
    int isolation = -1; // -1: never set through the connection (the server default)
    int networkTimeoutMillis; // starts as the URL's socketTimeout: what every physical connection gets
    private Properties clientInfo; // null: never set
    private int version;

    int version() {
        return version;
    }

    void changed() {
        version++;
    }

    void clientInfo(String name, String value) {
        if (clientInfo == null) {
            clientInfo = new Properties();
        }
        if (value == null) {
            clientInfo.remove(name);
        } else {
            clientInfo.setProperty(name, value);
        }
        changed();
    }

    void clientInfo(Properties all) {
        Properties copy = new Properties();
        if (all != null) {
            copy.putAll(all);
        }
        clientInfo = copy;
        changed();
    }

    /** Applies the whole state to a physical connection that is not inside a transaction. */
    void applyTo(Physical p, boolean isolationByPgjdbc) throws SQLException {
        Connection c = p.connection;
        if (c.getAutoCommit() != autoCommit) {
            c.setAutoCommit(autoCommit);
        }
        if (c.isReadOnly() != readOnly) {
            c.setReadOnly(readOnly);
        }
        if (isolationByPgjdbc && isolation >= 0) {
            c.setTransactionIsolation(isolation); // pgjdbc: one round trip, only after a change
        }
        if (c.getNetworkTimeout() != networkTimeoutMillis) {
            c.setNetworkTimeout(DIRECT, networkTimeoutMillis);
        }
        if (clientInfo != null) {
            c.setClientInfo(clientInfo);
        }
        p.appliedVersion = version;
    }
}
