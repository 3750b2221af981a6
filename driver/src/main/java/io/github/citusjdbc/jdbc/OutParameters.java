package io.github.citusjdbc.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Arrays;
import java.util.Calendar;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.GT;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The OUT parameters of a {@link LogicalCallableStatement} as pgjdbc's {@code PgCallableStatement}
 * (42.7.x) keeps them: the registrations (mirrored: they also go to the physical callable
 * statement), and the values of the last call that ran in an envelope, taken from its row and
 * served by the getters with pgjdbc's checks, messages and SQLStates.
 *
 * <p>Indexes are 1-based, as in JDBC. Not thread-safe: used by one statement.
 */
final class OutParameters {

    private int count = -1; // parameters of the call as pgjdbc parses it
    private int[] functionReturnType; // by index - 1; 0 = not an OUT parameter; kept by clearDirections, as in pgjdbc
    private int[] testReturn;
    private boolean returnTypeSet;
    private boolean[] out; // by index: registered since the last clearParameters (pgjdbc's direction OUT)

    private boolean served; // the getters serve callResult (else the physical statement answers)
    private Object[] callResult;
    private int lastIndex;

    /** Sizes the registrations for a call of {@code n} parameters (kept while the count stays the same). */
    void size(int n) {
        if (count != n) {
            count = n;
            functionReturnType = new int[n + 1];
            testReturn = new int[n + 1];
            out = new boolean[n + 1];
        }
    }

    /** @return the number of parameters of the call (0 before it was parsed) */
    int count() {
        return Math.max(count, 0);
    }

    /** Records a registration pgjdbc accepted, normalized as {@code PgCallableStatement.registerOutParameter} does. */
    void register(int index, int sqlType) {
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

    /** pgjdbc's {@code clearParameters} forgets the directions, not the registered types. */
    void clearDirections() {
        if (out != null) {
            Arrays.fill(out, false);
        }
    }

    /** Registers the OUT parameters again on {@code plain}, whose parameters were cleared. */
    void registerAgain(CallableStatement plain) throws SQLException {
        if (out == null) {
            return;
        }
        for (int i = 1; i < out.length; i++) {
            if (out[i]) {
                plain.registerOutParameter(i, functionReturnType[i - 1]);
            }
        }
    }

    /** @return whether parameter {@code index} is registered as OUT */
    boolean isOut(int index) {
        return out[index];
    }

    /** @return whether any OUT parameter was ever registered (pgjdbc's {@code returnTypeSet}) */
    boolean returnTypeSet() {
        return returnTypeSet;
    }

    /** The physical statement answers the getters from now on (a call that did not run in an envelope). */
    void unserve() {
        served = false;
    }

    /** @return whether the getters serve the values of the last enveloped call */
    boolean served() {
        return served;
    }

    /**
     * Takes the OUT values from the call's first row, as {@code PgCallableStatement.executeWithFlags}
     * does, and closes {@code rs}.
     */
    void take(ResultSet rs) throws SQLException {
        if (rs == null || !rs.next()) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with nothing returned."), PSQLState.NO_DATA);
        }
        ResultSetMetaData md = rs.getMetaData();
        int cols = md.getColumnCount();
        if (cols != outCount()) {
            throw new PSQLException(GT.tr("A CallableStatement was executed with an invalid number of parameters"),
                    PSQLState.SYNTAX_ERROR);
        }
        lastIndex = 0;
        Object[] result = new Object[count + 1];
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
    }

    /** pgjdbc's {@code ParameterList.getOutParameterCount}: every function has at least one output. */
    private int outCount() {
        int n = 0;
        for (int i = 1; i <= count; i++) {
            if (out[i]) {
                n++;
            }
        }
        return n == 0 ? 1 : n;
    }

    // ------------------------------------------------------------------ the values, as pgjdbc's getters serve them

    Object getObject(int index) {
        lastIndex = index;
        return callResult[index - 1];
    }

    private Object checked(int index, int type, String getName) throws SQLException {
        Object result = getObject(index);
        int registered = testReturn[index - 1];
        if (type != registered) {
            throw mismatch(registered, getName, type);
        }
        return result;
    }

    private static PSQLException mismatch(int registered, String getName, int type) {
        return new PSQLException(GT.tr("Parameter of type {0} was registered, but call to get{1} (sqltype={2}) was made.",
                "java.sql.Types=" + registered, getName, "java.sql.Types=" + type),
                PSQLState.MOST_SPECIFIC_TYPE_DOES_NOT_MATCH);
    }

    boolean wasNull() throws SQLException {
        if (lastIndex == 0) {
            throw new PSQLException(GT.tr("wasNull cannot be call before fetching a result."),
                    PSQLState.OBJECT_NOT_IN_STATE);
        }
        return callResult[lastIndex - 1] == null;
    }

    String getString(int index) throws SQLException {
        return (String) checked(index, Types.VARCHAR, "String");
    }

    boolean getBoolean(int index) throws SQLException {
        Object result = checked(index, Types.BIT, "Boolean");
        if (result == null) {
            return false;
        }
        if (result instanceof Boolean) {
            return (Boolean) result;
        }
        // A BIT column reads as Boolean, or as PGobject for bit(n > 1), which pgjdbc cannot cast either.
        throw new PSQLException("Cannot cast to boolean", PSQLState.CANNOT_COERCE);
    }

    byte getByte(int index) throws SQLException {
        Object result = checked(index, Types.SMALLINT, "Byte");
        return result == null ? 0 : ((Integer) result).byteValue();
    }

    short getShort(int index) throws SQLException {
        Object result = checked(index, Types.SMALLINT, "Short");
        return result == null ? 0 : ((Integer) result).shortValue();
    }

    int getInt(int index) throws SQLException {
        Object result = checked(index, Types.INTEGER, "Int");
        return result == null ? 0 : (Integer) result;
    }

    long getLong(int index) throws SQLException {
        Object result = checked(index, Types.BIGINT, "Long");
        return result == null ? 0L : (Long) result;
    }

    float getFloat(int index) throws SQLException {
        Object result = checked(index, Types.REAL, "Float");
        return result == null ? 0.0F : (Float) result;
    }

    double getDouble(int index) throws SQLException {
        Object result = checked(index, Types.DOUBLE, "Double");
        return result == null ? 0.0D : (Double) result;
    }

    BigDecimal getBigDecimal(int index) throws SQLException {
        return (BigDecimal) checked(index, Types.NUMERIC, "BigDecimal");
    }

    byte[] getBytes(int index) throws SQLException {
        Object result = getObject(index);
        int registered = testReturn[index - 1];
        if (registered != Types.VARBINARY && registered != Types.BINARY) {
            throw mismatch(registered, "Bytes", Types.VARBINARY);
        }
        return (byte[]) result;
    }

    Date getDate(int index) throws SQLException {
        return (Date) checked(index, Types.DATE, "Date");
    }

    Time getTime(int index) throws SQLException {
        return (Time) checked(index, Types.TIME, "Time");
    }

    Timestamp getTimestamp(int index) throws SQLException {
        return (Timestamp) checked(index, Types.TIMESTAMP, "Timestamp");
    }

    Date getDate(int index, Calendar cal, BaseConnection base) throws SQLException {
        Object result = checked(index, Types.DATE, "Date");
        return result == null ? null : base.getTimestampUtils().toDate(cal, result.toString());
    }

    Time getTime(int index, Calendar cal, BaseConnection base) throws SQLException {
        Object result = checked(index, Types.TIME, "Time");
        return result == null ? null : base.getTimestampUtils().toTime(cal, result.toString());
    }

    Timestamp getTimestamp(int index, Calendar cal, BaseConnection base) throws SQLException {
        Object result = checked(index, Types.TIMESTAMP, "Timestamp");
        return result == null ? null : base.getTimestampUtils().toTimestamp(cal, result.toString());
    }

    Array getArray(int index) throws SQLException {
        return (Array) checked(index, Types.ARRAY, "Array");
    }

    SQLXML getSQLXML(int index) throws SQLException {
        return (SQLXML) checked(index, Types.SQLXML, "SQLXML");
    }
}
