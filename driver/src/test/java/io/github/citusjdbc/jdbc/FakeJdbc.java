package io.github.citusjdbc.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.CallableStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.PGStatement;

/**
 * Physical JDBC objects for unit tests (a reflection proxy is fine here: tests only), with
 * pgjdbc-like behaviour for what the wrappers depend on: close flags, result-set identity,
 * {@code unwrap}, and a closed-object SQLException.
 */
final class FakeJdbc {

    /** Everything called on any fake, as "Type.method". */
    final List<String> calls = new ArrayList<>();

    /** @return a connection that is pgjdbc's {@link BaseConnection} too, as the driver requires */
    Connection connection() {
        return create(Connection.class, new Handler("Connection") {
            DatabaseMetaData metaData;

            @Override
            Object answer(Object self, Method m, Object[] args) {
                switch (m.getName()) {
                    case "createStatement":
                        return statement(Statement.class, self);
                    case "prepareStatement":
                        return statement(PreparedStatement.class, self);
                    case "prepareCall":
                        return statement(CallableStatement.class, self);
                    case "getTransactionState": // pgjdbc's view, read by the driver at each unit of work
                        return TransactionState.IDLE;
                    case "getStandardConformingStrings":
                        return true;
                    case "getMetaData":
                        if (metaData == null) {
                            metaData = metaData((Connection) self);
                        }
                        return metaData;
                    default:
                        return null;
                }
            }
        }, BaseConnection.class);
    }

    private Statement statement(Class<? extends Statement> type, Object connection) {
        return create(type, new Handler(type.getSimpleName()) {
            ResultSet current;

            @Override
            Object answer(Object self, Method m, Object[] args) {
                switch (m.getName()) {
                    case "executeQuery":
                    case "getGeneratedKeys":
                        current = resultSet((Statement) self);
                        return current;
                    case "getResultSet":
                        return current;
                    case "getConnection":
                        return connection;
                    case "close":
                        if (current != null) {
                            try {
                                current.close();
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return null;
                    default:
                        return null;
                }
            }
        }, PGStatement.class);
    }

    private DatabaseMetaData metaData(Connection connection) {
        return create(DatabaseMetaData.class, new Handler("DatabaseMetaData") {
            @Override
            Object answer(Object self, Method m, Object[] args) {
                if (m.getName().equals("getConnection")) {
                    return connection;
                }
                if (m.getReturnType() == ResultSet.class) {
                    return resultSet(null);
                }
                return null;
            }
        });
    }

    private ResultSet resultSet(Statement statement) {
        return create(ResultSet.class, new Handler("ResultSet") {
            @Override
            Object answer(Object self, Method m, Object[] args) {
                return m.getName().equals("getStatement") ? statement : null;
            }
        });
    }

    private <T> T create(Class<T> type, Handler handler, Class<?>... extra) {
        Class<?>[] interfaces = new Class<?>[extra.length + 1];
        interfaces[0] = type;
        System.arraycopy(extra, 0, interfaces, 1, extra.length);
        return type.cast(Proxy.newProxyInstance(FakeJdbc.class.getClassLoader(), interfaces, handler));
    }

    private abstract class Handler implements InvocationHandler {
        private final String type;
        private boolean closed;

        Handler(String type) {
            this.type = type;
        }

        abstract Object answer(Object self, Method m, Object[] args) throws SQLException;

        @Override
        public Object invoke(Object self, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            calls.add(type + "." + name);
            switch (name) {
                case "toString":
                    return "Fake" + type + "@" + Integer.toHexString(System.identityHashCode(self));
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                case "isClosed":
                    return closed;
                case "unwrap":
                    if (((Class<?>) args[0]).isInstance(self)) {
                        return self;
                    }
                    throw new SQLException("not a wrapper for " + args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(self);
                case "isValid":
                    return !closed;
                default:
                    break;
            }
            if (name.equals("close")) {
                closed = true;
                answer(self, m, args);
                return null;
            }
            if (closed && !name.equals("getConnection")) {
                throw new SQLException("This " + type + " has been closed.", "Connection".equals(type) ? "08003" : "55000");
            }
            Object answer = answer(self, m, args);
            if (answer == null && m.getReturnType().isPrimitive()) {
                Class<?> r = m.getReturnType();
                if (r == boolean.class) {
                    return false;
                }
                if (r == void.class) {
                    return null;
                }
                return r == long.class ? (Object) 0L : r == double.class ? (Object) 0d : r == float.class ? (Object) 0f : (Object) 0;
            }
            return answer;
        }
    }
}
