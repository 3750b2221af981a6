package io.github.citusjdbc;

/**
 * Marks the work of the current thread as read-only for the duration of a try-with-resources
 * block, for code that does not call {@link java.sql.Connection#setReadOnly(boolean)} itself
 * (plain Hibernate: {@code Session.setDefaultReadOnly} never reaches JDBC):
 * <pre>{@code
 * try (CitusReadOnly.Scope ro = CitusReadOnly.begin();
 *      Session session = sessionFactory.openSession()) {
 *     session.beginTransaction();   // the provider hands out a connection with setReadOnly(true)
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Who consults it.</b> Only code that asks {@link #isActive()} when it hands out a connection:
 * today {@link io.github.citusjdbc.hibernate.CitusMultiTenantConnectionProvider}, which then calls
 * {@code setReadOnly(true)} on the connection for the session's transactions (pgjdbc sends
 * {@code BEGIN READ ONLY}: the server refuses writes) and resets it on release. The driver's
 * connections themselves do not consult this flag: a connection obtained directly from a
 * {@code DataSource} inside a scope is not read-only. Whether read-only work goes to a secondary
 * is decided by the driver's routing from {@code Connection.setReadOnly(true)} (on Citus, with the
 * default {@code readRouting=secondary}: a secondary of the tenant's group, else the coordinator's).
 *
 * <p>Scopes nest (a counter per thread) and must be closed on the thread that opened them, in
 * reverse order. Not inherited by other threads.
 */
public final class CitusReadOnly {

    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private CitusReadOnly() {
    }

    /** @return a scope; while any scope of this thread is open, {@link #isActive()} is true */
    public static Scope begin() {
        DEPTH.get()[0]++;
        return new Scope();
    }

    /** @return whether the calling thread is inside a read-only scope */
    public static boolean isActive() {
        return DEPTH.get()[0] > 0;
    }

    /** An open read-only scope; {@link #close()} ends it. */
    public static final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {
        }

        /** Ends this scope; idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            int[] depth = DEPTH.get();
            if (--depth[0] <= 0) {
                DEPTH.remove();
            }
        }
    }
}
