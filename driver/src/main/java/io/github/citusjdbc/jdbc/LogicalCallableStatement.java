package io.github.citusjdbc.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Arrays;
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
    private int parameterCount;

    // PgCallableStatement's OUT registration state, mirrored (registrations also go to plain).
    private int[] functionReturnType; // by index - 1; 0 = not an OUT parameter; kept by clearParameters, as in pgjdbc
    private int[] testReturn;
    private boolean returnTypeSet;
    private boolean[] out; // registered since the last clearParameters (pgjdbc's parameter direction OUT)

    // The OUT values of the last enveloped execution, served by the getters while served is true.
    private boolean served;
    private Object[] callResult;
    private int lastIndex;

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

    /** Batches and metadata run on {@link #plain} with the pin sent separately. */
    @Override
    boolean aroundOnly() {
        return true;
    }

    @Override
    boolean aroundWrappable() {
        return sql.stripLeading().startsWith("{") || super.aroundWrappable();
    }

    /** A call pgjdbc parses runs in the pin's string (the session SET prefixed to it), as it does in the envelope. */
    @Override
    boolean carriesPin() throws SQLException {
        return parsed() && !info(sql).touchesSearchPath();
    }

    // ------------------------------------------------------------------ what pgjdbc makes of the SQL

    /** @return whether the SQL is parsed as pgjdbc's PgConnection parses it (false: not pgjdbc underneath) */
    private boolean parsed() throws SQLException {
        java.sql.Connection physical = home;
        if (parsedFor == physical) {
            return base != null;
        }
        base = physical.isWrapperFor(BaseConnection.class) ? physical.unwrap(BaseConnection.class) : null;
        if (base != null) {
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
            if (functionReturnType == null || parameterCount != n) {
                parameterCount = n;
                functionReturnType = new int[n + 1];
                testReturn = new int[n + 1];
                out = new boolean[n + 1];
            }
        }
        parsedFor = physical;
        return base != null;
    }

    @Override
    String envelopeBody() throws SQLException {
        parsed();
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

    /** Records a registration pgjdbc accepted, normalized as {@code PgCallableStatement.registerOutParameter} does. */
    private void registered(int index, int sqlType) throws SQLException {
        if (!parsed()) {
            return;
        }
        switch (sqlType) {
            case Types.TINYINT:
                sqlType = Types.SMALLINT;
                break;
            case Types.LONGVARCHAR:
                sqlType = Types.VARCHAR;
                break;
            case Types.DECIMAL:
                sqlType = Types.NUMERIC;
                break;
            case Types.FLOAT:
                sqlType = Types.DOUBLE;
                break;
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
                sqlType = Types.BINARY;
                break;
            case Types.BOOLEAN:
                sqlType = Types.BIT;
                break;
            default:
                break;
        }
        functionReturnType[index - 1] = sqlType;
        testReturn[index - 1] = sqlType == Types.CHAR || sqlType == Types.LONGVARCHAR ? Types.VARCHAR
                : sqlType == Types.FLOAT ? Types.REAL : sqlType;
        out[index] = true;
        returnTypeSet = true;
    }

    @Override
    public void clearParameters() throws SQLException {
        super.clearParameters();
        if (out != null) {
            Arrays.fill(out, false); // pgjdbc's clearParameters forgets the directions, not the registered types
        }
    }

    /** Back on {@link #plain} after its parameters were cleared and replayed: register the OUT parameters again. */
    @Override
    void replayed(PreparedStatement target) throws SQLException {
        if (target != plain || out == null) {
            return;
        }
        for (int i = 1; i < out.length; i++) {
            if (out[i]) {
                ((CallableStatement) plain).registerOutParameter(i, functionReturnType[i - 1]);
            }
        }
    }

    // ------------------------------------------------------------------ execution

    /** The pin rides with the call: the autocommit envelope, or the prefix of an explicit transaction's first statement. */
    private boolean enveloped(Envelope e) throws SQLException {
        return e != null && parsed();
    }

    @Override
    boolean executeOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (!enveloped(e)) {
            served = false;
            return around(PreparedStatement::execute, e);
        }
        return runEnveloped(e);
    }

    @Override
    ResultSet executeQueryOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (!enveloped(e)) {
            served = false;
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
    @Override
    long executeLargeUpdateOnce() throws SQLException {
        Envelope e = connection.pins.planAround(this);
        if (!enveloped(e)) {
            served = false;
            return around(PreparedStatement::executeLargeUpdate, e);
        }
        runEnveloped(e, false);
        if (isFunction && returnTypeSet) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with nothing returned."), PSQLState.NO_DATA);
        }
        return updateCountOnly();
    }

    /** As pgjdbc's {@code PgCallableStatement.executeUpdate}: a function call is executed and 0 returned. */
    @Override
    public int executeUpdate() throws SQLException {
        if (!parsed() || !isFunction) {
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
    private boolean runEnveloped(Envelope e, boolean outs) throws SQLException {
        PreparedStatement target = variant(e, null, null);
        resetNavigation();
        if (delegate != target) {
            switchTo(target);
        }
        for (int i = 1; i <= parameterCount; i++) {
            if (out[i] && !parameters.isSet(i)) {
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
        if (!outs || !isFunction || !returnTypeSet) {
            return isResultSetNow();
        }
        ResultSet rs = delegate.getResultSet();
        if (rs == null || !rs.next()) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with nothing returned."), PSQLState.NO_DATA);
        }
        ResultSetMetaData md = rs.getMetaData();
        int cols = md.getColumnCount();
        if (cols != outParameterCount()) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with an invalid number of parameters"),
                    PSQLState.SYNTAX_ERROR);
        }
        lastIndex = 0;
        Object[] result = new Object[parameterCount + 1];
        callResult = result;
        served = true;
        int[] types = functionReturnType;
        for (int i = 0, j = 0; i < cols; i++, j++) {
            while (j < types.length && types[j] == 0) {
                j++;
            }
            result[j] = rs.getObject(i + 1);
            int columnType = md.getColumnType(i + 1);
            if (columnType != types[j]) {
                if (columnType == Types.DOUBLE && types[j] == Types.REAL) {
                    if (result[j] != null) {
                        result[j] = ((Double) result[j]).floatValue();
                    }
                } else if (columnType != Types.REF_CURSOR || types[j] != Types.OTHER) {
                    throw new PSQLException(GT.tr("A CallableStatement function was executed and the out parameter {0}"
                            + " was of type {1} however type {2} was registered.", i + 1, "java.sql.Types=" + columnType,
                            "java.sql.Types=" + types[j]), PSQLState.DATA_TYPE_MISMATCH);
                }
            }
        }
        rs.close();
        consumeResults();
        return false;
    }

    /** pgjdbc's {@code ParameterList.getOutParameterCount}: every function has at least one output. */
    private int outParameterCount() {
        int n = 0;
        for (int i = 1; i <= parameterCount; i++) {
            if (out[i]) {
                n++;
            }
        }
        return n == 0 ? 1 : n;
    }

    // ------------------------------------------------------------------ OUT values (PgCallableStatement's getters)

    private CallableStatement physical() {
        return (CallableStatement) plain;
    }

    private Object callResult(int index) throws SQLException {
        if (plain.isClosed()) {
            throw new PSQLException(GT.tr("This statement has been closed."), PSQLState.OBJECT_NOT_IN_STATE);
        }
        lastIndex = index;
        return callResult[index - 1];
    }

    private Object checkIndex(int index, int type, String getName) throws SQLException {
        Object result = callResult(index);
        int registered = testReturn[index - 1];
        if (type != registered) {
            throw mismatch(registered, getName, type);
        }
        return result;
    }

    private Object checkIndex(int index, int type1, int type2, String getName) throws SQLException {
        Object result = callResult(index);
        int registered = testReturn[index - 1];
        if (type1 != registered && type2 != registered) {
            throw mismatch(registered, getName, type1);
        }
        return result;
    }

    private static PSQLException mismatch(int registered, String getName, int type) {
        return new PSQLException(GT.tr("Parameter of type {0} was registered, but call to get{1} (sqltype={2}) was made.",
                "java.sql.Types=" + registered, getName, "java.sql.Types=" + type),
                PSQLState.MOST_SPECIFIC_TYPE_DOES_NOT_MATCH);
    }

    @Override
    public boolean wasNull() throws SQLException {
        if (!served) {
            return physical().wasNull();
        }
        if (lastIndex == 0) {
            throw new PSQLException(GT.tr("wasNull cannot be call before fetching a result."),
                    PSQLState.OBJECT_NOT_IN_STATE);
        }
        return callResult[lastIndex - 1] == null;
    }

    @Override
    public String getString(int index) throws SQLException {
        return served ? (String) checkIndex(index, Types.VARCHAR, "String") : physical().getString(index);
    }

    @Override
    public boolean getBoolean(int index) throws SQLException {
        if (!served) {
            return physical().getBoolean(index);
        }
        Object result = checkIndex(index, Types.BIT, "Boolean");
        if (result == null) {
            return false;
        }
        if (result instanceof Boolean) {
            return (Boolean) result;
        }
        // A BIT column reads as Boolean, or as PGobject for bit(n > 1), which pgjdbc cannot cast either.
        throw new PSQLException("Cannot cast to boolean", PSQLState.CANNOT_COERCE);
    }

    @Override
    public byte getByte(int index) throws SQLException {
        if (!served) {
            return physical().getByte(index);
        }
        Object result = checkIndex(index, Types.SMALLINT, "Byte");
        return result == null ? 0 : ((Integer) result).byteValue();
    }

    @Override
    public short getShort(int index) throws SQLException {
        if (!served) {
            return physical().getShort(index);
        }
        Object result = checkIndex(index, Types.SMALLINT, "Short");
        return result == null ? 0 : ((Integer) result).shortValue();
    }

    @Override
    public int getInt(int index) throws SQLException {
        if (!served) {
            return physical().getInt(index);
        }
        Object result = checkIndex(index, Types.INTEGER, "Int");
        return result == null ? 0 : (Integer) result;
    }

    @Override
    public long getLong(int index) throws SQLException {
        if (!served) {
            return physical().getLong(index);
        }
        Object result = checkIndex(index, Types.BIGINT, "Long");
        return result == null ? 0L : (Long) result;
    }

    @Override
    public float getFloat(int index) throws SQLException {
        if (!served) {
            return physical().getFloat(index);
        }
        Object result = checkIndex(index, Types.REAL, "Float");
        return result == null ? 0.0F : (Float) result;
    }

    @Override
    public double getDouble(int index) throws SQLException {
        if (!served) {
            return physical().getDouble(index);
        }
        Object result = checkIndex(index, Types.DOUBLE, "Double");
        return result == null ? 0.0D : (Double) result;
    }

    @Deprecated
    @Override
    public BigDecimal getBigDecimal(int index, int scale) throws SQLException {
        return served ? (BigDecimal) checkIndex(index, Types.NUMERIC, "BigDecimal") : physical().getBigDecimal(index, scale);
    }

    @Override
    public BigDecimal getBigDecimal(int index) throws SQLException {
        return served ? (BigDecimal) checkIndex(index, Types.NUMERIC, "BigDecimal") : physical().getBigDecimal(index);
    }

    @Override
    public byte[] getBytes(int index) throws SQLException {
        return served ? (byte[]) checkIndex(index, Types.VARBINARY, Types.BINARY, "Bytes") : physical().getBytes(index);
    }

    @Override
    public Date getDate(int index) throws SQLException {
        return served ? (Date) checkIndex(index, Types.DATE, "Date") : physical().getDate(index);
    }

    @Override
    public Time getTime(int index) throws SQLException {
        return served ? (Time) checkIndex(index, Types.TIME, "Time") : physical().getTime(index);
    }

    @Override
    public Timestamp getTimestamp(int index) throws SQLException {
        return served ? (Timestamp) checkIndex(index, Types.TIMESTAMP, "Timestamp") : physical().getTimestamp(index);
    }

    @Override
    public Date getDate(int index, Calendar cal) throws SQLException {
        if (!served) {
            return physical().getDate(index, cal);
        }
        Object result = checkIndex(index, Types.DATE, "Date");
        return result == null ? null : base.getTimestampUtils().toDate(cal, result.toString());
    }

    @Override
    public Time getTime(int index, Calendar cal) throws SQLException {
        if (!served) {
            return physical().getTime(index, cal);
        }
        Object result = checkIndex(index, Types.TIME, "Time");
        return result == null ? null : base.getTimestampUtils().toTime(cal, result.toString());
    }

    @Override
    public Timestamp getTimestamp(int index, Calendar cal) throws SQLException {
        if (!served) {
            return physical().getTimestamp(index, cal);
        }
        Object result = checkIndex(index, Types.TIMESTAMP, "Timestamp");
        return result == null ? null : base.getTimestampUtils().toTimestamp(cal, result.toString());
    }

    @Override
    public Array getArray(int index) throws SQLException {
        return served ? (Array) checkIndex(index, Types.ARRAY, "Array") : physical().getArray(index);
    }

    @Override
    public SQLXML getSQLXML(int index) throws SQLException {
        return served ? (SQLXML) checkIndex(index, Types.SQLXML, "SQLXML") : physical().getSQLXML(index);
    }

    @Override
    public Object getObject(int index) throws SQLException {
        return served ? callResult(index) : physical().getObject(index);
    }

    @Override
    public Object getObject(int index, Map<String, Class<?>> map) throws SQLException {
        if (!served) {
            return physical().getObject(index, map);
        }
        if (map != null && !map.isEmpty()) {
            throw Driver.notImplemented(plain.getClass(), "getObjectImpl(int,Map)");
        }
        return getObject(index);
    }

    @Override
    public <T> T getObject(int index, Class<T> type) throws SQLException {
        if (!served) {
            return physical().getObject(index, type);
        }
        if (type == ResultSet.class) {
            return type.cast(getObject(index));
        }
        throw new PSQLException(GT.tr("Unsupported type conversion to {0}.", type), PSQLState.INVALID_PARAMETER_VALUE);
    }
}
