package io.github.citusjdbc.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Calendar;
import java.util.Map;
import org.postgresql.Driver;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.JdbcCallParseInfo;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;
import org.postgresql.core.QueryExecutor;
import org.postgresql.util.GT;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A callable statement of a {@link LogicalConnection}.
 *
 * <p><b>Autocommit with a tenant pinned: one round trip.</b> pgjdbc reads OUT parameters only from
 * a single-statement callable, so the call does not run on the physical {@code CallableStatement}
 * ({@link #plain}) but on a physical {@code PreparedStatement} per envelope ({@link #variant}):
 * {@code BEGIN; SET LOCAL search_path TO "t"; <sql>\n; COMMIT}, where {@code <sql>} is what pgjdbc
 * itself runs for the JDBC escape ({@link Parser#modifyJdbcCall}, honouring the server version and
 * {@code escapeSyntaxCallMode}): {@code select * from f(?, ?) as result}, or {@code call p(?, ?)}.
 * The recorded IN parameters are replayed; OUT-only parameters are bound as pgjdbc binds them, a
 * NULL of type {@code void} (which the server drops from a function call). The OUT values are then
 * taken from the call's first row as {@code PgCallableStatement.executeWithFlags} (pgjdbc 42.7.x)
 * takes them, with its checks and exceptions, and every getter serves them as pgjdbc's does; the
 * call's row is consumed, so {@code getResultSet()} is null and {@code getUpdateCount()} -1, as in
 * pgjdbc. On an error the envelope's transaction is rolled back (one more round trip, error path
 * only). The first such call with an OUT-only parameter on a physical connection costs one more
 * round trip, once: pgjdbc looks up the type {@code void} and caches it for the connection.
 *
 * <p><b>Explicit transaction, the call as its first statement: no round trip added.</b> The same
 * physical statement runs {@code SET LOCAL search_path TO "t"; <sql>} (pgjdbc sends its own
 * {@code BEGIN} in front); an error is left as pgjdbc leaves it (25P02 until rollback).
 *
 * <p><b>Everything else runs on {@link #plain}</b>, which keeps the OUT registrations
 * ({@code registerOutParameter} always goes there): a call later in a transaction (pinned
 * already), batches and metadata (the pin sent separately), and calls with no tenant pinned. A native {@code CALL} (not an escape) is not pinned in autocommit (a
 * procedure may commit, which the driver's transaction would forbid): it runs with the server's
 * default {@code search_path}. A procedure called through the escape in {@code call} mode runs
 * inside the envelope and so must not commit.
 */
abstract class LogicalCallableStatement extends LogicalPreparedStatement implements CallableStatement {

    // What pgjdbc runs for sql (escape processing, then modifyJdbcCall), for the physical connection parsedFor.
    private java.sql.Connection parsedFor;
    private BaseConnection base;
    private String nativeSql;
    private boolean escape;
    private boolean isFunction;

    /** OUT registrations (also sent to plain) and the values of the last enveloped call. */
    private final OutParameters outs = new OutParameters();

    LogicalCallableStatement(LogicalConnection connection, CallableStatement delegate, String sql,
                             int type, int concurrency, int holdability) {
        super(connection, delegate, sql, null, type, concurrency, holdability);
    }

    /** A batch of calls stays pgjdbc's (the pin around it): the escape cannot be repeated in a prepared text. */
    @Override
    boolean batchesAsEnvelopes() {
        return false;
    }

    /** Re-created by routing: the recorded parameters and OUT registrations are replayed. */
    @Override
    java.sql.Statement newPhysical(java.sql.Connection physical) throws SQLException {
        return physical.prepareCall(sql);
    }

    @Override
    void afterRetarget(java.sql.Statement fresh) throws SQLException {
        super.afterRetarget(fresh);
        replayed((PreparedStatement) fresh);
    }

    @Override
    boolean aroundWrappable() {
        return sql.stripLeading().startsWith("{") || super.aroundWrappable();
    }

    /** A call pgjdbc parses runs in the pin's string (the session SET prefixed to it), as it does in the envelope. */
    @Override
    boolean carriesPin() throws SQLException {
        return !info(sql).touchesSearchPath();
    }

    // ------------------------------------------------------------------ what pgjdbc makes of the SQL

    /** Parses the SQL as pgjdbc's PgConnection parses it, once per physical connection. */
    private void parse() throws SQLException {
        java.sql.Connection physical = home;
        if (parsedFor == physical) {
            return;
        }
        base = LogicalConnections.pgjdbcOf(physical);
        // As pgjdbc's CachedQueryCreateAction does for a CallableQueryKey (escape processing on).
        QueryExecutor qe = base.getQueryExecutor();
        boolean std = qe.getStandardConformingStrings();
        String text = Parser.replaceProcessing(sql, true, std);
        JdbcCallParseInfo call = Parser.modifyJdbcCall(text, std, qe.getServerVersionNum(),
                qe.getEscapeSyntaxCallMode());
        nativeSql = call.getSql();
        isFunction = call.isFunction();
        escape = text.stripLeading().startsWith("{");
        int n = 0;
        for (NativeQuery q : Parser.parseJdbcSql(nativeSql, std, true, true, false, false)) {
            n += q.bindPositions.length;
        }
        outs.size(n);
        parsedFor = physical;
    }

    @Override
    String envelopeBody() throws SQLException {
        parse();
        return nativeSql;
    }

    // ------------------------------------------------------------------ OUT registrations

    @Override
    public void registerOutParameter(int index, int sqlType) throws SQLException {
        ((CallableStatement) plain).registerOutParameter(index, sqlType);
        registered(index, sqlType);
    }

    @Override
    public void registerOutParameter(int index, int sqlType, int scale) throws SQLException {
        ((CallableStatement) plain).registerOutParameter(index, sqlType, scale);
        registered(index, sqlType);
    }

    private void registered(int index, int sqlType) throws SQLException {
        parse();
        outs.register(index, sqlType);
    }

    @Override
    public void clearParameters() throws SQLException {
        super.clearParameters();
        outs.clearDirections();
    }

    /** Back on {@link #plain} after its parameters were cleared and replayed: register the OUT parameters again. */
    @Override
    void replayed(PreparedStatement target) throws SQLException {
        if (target == plain) {
            outs.registerAgain((CallableStatement) plain);
        }
    }

    // ------------------------------------------------------------------ execution

    @Override
    public boolean execute() throws SQLException {
        return connection.units.inUnit(this, sql, true, (c, q, u) -> c.executeOnce());
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return connection.units.inUnit(this, sql, true, (c, q, u) -> c.executeQueryOnce());
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return connection.units.inUnit(this, sql, true, (c, q, u) -> c.executeLargeUpdateOnce());
    }

    private boolean executeOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (e == null) { // else the pin rides with the call: the autocommit envelope, or an explicit transaction's prefix
            outs.unserve();
            return around(PreparedStatement::execute, e);
        }
        return runEnveloped(e);
    }

    private ResultSet executeQueryOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (e == null) {
            outs.unserve();
            return wrapResultSet(around(PreparedStatement::executeQuery, e));
        }
        if (!runEnveloped(e)) {
            throw new PSQLException(GT.tr("No results were returned by the query."), PSQLState.NO_DATA);
        }
        return singleResultSet();
    }

    /**
     * pgjdbc's {@code executeLargeUpdate} executes without keeping rows: with OUT parameters
     * registered it finds nothing returned; otherwise a result set is refused.
     */
    private long executeLargeUpdateOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (e == null) {
            outs.unserve();
            return around(PreparedStatement::executeLargeUpdate, e);
        }
        runEnveloped(e, false);
        if (isFunction && outs.returnTypeSet()) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with nothing returned."), PSQLState.NO_DATA);
        }
        return updateCountOnly();
    }

    /** As pgjdbc's {@code PgCallableStatement.executeUpdate}: a function call is executed and 0 returned. */
    @Override
    public int executeUpdate() throws SQLException {
        parse();
        if (!isFunction) {
            return super.executeUpdate();
        }
        execute();
        return 0;
    }

    private boolean runEnveloped(Envelope e) throws SQLException {
        return runEnveloped(e, true);
    }

    /**
     * Runs the call in the envelope and, as {@code PgCallableStatement.executeWithFlags}, takes the
     * OUT values from its first row.
     *
     * @return whether a result set is current (false once OUT values were taken)
     */
    private boolean runEnveloped(Envelope e, boolean takeOuts) throws SQLException {
        parse();
        PreparedStatement target = variant(e, null, null);
        results.reset();
        if (delegate != target) {
            switchTo(target);
        }
        for (int i = 1; i <= outs.count(); i++) {
            if (outs.isOut(i) && !parameters.isSet(i)) {
                target.setNull(i, Types.OTHER, "void"); // pgjdbc's convertFunctionOutParameters
            }
        }
        try {
            target.execute();
        } catch (SQLException ex) {
            connection.pins.failed(e, ex);
            throw ex;
        }
        startNavigation(e, escape ? 1 : info(sql).pgjdbcQueryCount(), false);
        if (!takeOuts || !isFunction || !outs.returnTypeSet()) {
            return isResultSetNow();
        }
        outs.take(delegate.getResultSet());
        consumeResults();
        return false;
    }

    // ------------------------------------------------------------------ OUT values (PgCallableStatement's getters)

    private CallableStatement physical() {
        return (CallableStatement) plain;
    }

    /** The OUT values of the last enveloped call, after pgjdbc's closed check. */
    private OutParameters open() throws SQLException {
        if (plain.isClosed()) {
            throw new PSQLException(GT.tr("This statement has been closed."), PSQLState.OBJECT_NOT_IN_STATE);
        }
        return outs;
    }

    @Override
    public boolean wasNull() throws SQLException {
        return outs.served() ? outs.wasNull() : physical().wasNull();
    }

    @Override
    public String getString(int index) throws SQLException {
        return outs.served() ? open().getString(index) : physical().getString(index);
    }

    @Override
    public boolean getBoolean(int index) throws SQLException {
        return outs.served() ? open().getBoolean(index) : physical().getBoolean(index);
    }

    @Override
    public byte getByte(int index) throws SQLException {
        return outs.served() ? open().getByte(index) : physical().getByte(index);
    }

    @Override
    public short getShort(int index) throws SQLException {
        return outs.served() ? open().getShort(index) : physical().getShort(index);
    }

    @Override
    public int getInt(int index) throws SQLException {
        return outs.served() ? open().getInt(index) : physical().getInt(index);
    }

    @Override
    public long getLong(int index) throws SQLException {
        return outs.served() ? open().getLong(index) : physical().getLong(index);
    }

    @Override
    public float getFloat(int index) throws SQLException {
        return outs.served() ? open().getFloat(index) : physical().getFloat(index);
    }

    @Override
    public double getDouble(int index) throws SQLException {
        return outs.served() ? open().getDouble(index) : physical().getDouble(index);
    }

    @Override
    public BigDecimal getBigDecimal(int index) throws SQLException {
        return outs.served() ? open().getBigDecimal(index) : physical().getBigDecimal(index);
    }

    @Override
    public byte[] getBytes(int index) throws SQLException {
        return outs.served() ? open().getBytes(index) : physical().getBytes(index);
    }

    @Override
    public Date getDate(int index) throws SQLException {
        return outs.served() ? open().getDate(index) : physical().getDate(index);
    }

    @Override
    public Time getTime(int index) throws SQLException {
        return outs.served() ? open().getTime(index) : physical().getTime(index);
    }

    @Override
    public Timestamp getTimestamp(int index) throws SQLException {
        return outs.served() ? open().getTimestamp(index) : physical().getTimestamp(index);
    }

    @Override
    public Array getArray(int index) throws SQLException {
        return outs.served() ? open().getArray(index) : physical().getArray(index);
    }

    @Override
    public SQLXML getSQLXML(int index) throws SQLException {
        return outs.served() ? open().getSQLXML(index) : physical().getSQLXML(index);
    }

    @Override
    public Object getObject(int index) throws SQLException {
        return outs.served() ? open().getObject(index) : physical().getObject(index);
    }

    @Deprecated
    @Override
    public BigDecimal getBigDecimal(int index, int scale) throws SQLException {
        return outs.served() ? open().getBigDecimal(index) : physical().getBigDecimal(index, scale);
    }

    @Override
    public Date getDate(int index, Calendar cal) throws SQLException {
        return outs.served() ? open().getDate(index, cal, base) : physical().getDate(index, cal);
    }

    @Override
    public Time getTime(int index, Calendar cal) throws SQLException {
        return outs.served() ? open().getTime(index, cal, base) : physical().getTime(index, cal);
    }

    @Override
    public Timestamp getTimestamp(int index, Calendar cal) throws SQLException {
        return outs.served() ? open().getTimestamp(index, cal, base) : physical().getTimestamp(index, cal);
    }

    @Override
    public Object getObject(int index, Map<String, Class<?>> map) throws SQLException {
        if (!outs.served()) {
            return physical().getObject(index, map);
        }
        if (map != null && !map.isEmpty()) {
            throw Driver.notImplemented(plain.getClass(), "getObjectImpl(int,Map)");
        }
        return getObject(index);
    }

    @Override
    public <T> T getObject(int index, Class<T> type) throws SQLException {
        if (!outs.served()) {
            return physical().getObject(index, type);
        }
        if (type == ResultSet.class) {
            return type.cast(getObject(index));
        }
        throw new PSQLException(GT.tr("Unsupported type conversion to {0}.", type), PSQLState.INVALID_PARAMETER_VALUE);
    }
}
