package io.github.citusjdbc.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.config.DriverConfig;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/** Identity, close semantics and unwrap of the wrappers, on fake physical objects. */
class LogicalConnectionTest {

    private final FakeJdbc fake = new FakeJdbc();
    private Connection physical;
    private LogicalConnection connection;

    @BeforeEach
    void open() throws SQLException {
        Properties info = new Properties();
        info.setProperty("user", "alice");
        info.setProperty("password", "hunter2");
        physical = fake.connection();
        connection = (LogicalConnection) LogicalConnections.wrap(physical,
                DriverConfig.parse("jdbc:citus://h:5/db", info), true);
    }

    @Test
    void statementsAndResultSetsLeadBackToTheWrappers() throws SQLException {
        Statement statement = connection.createStatement();
        assertInstanceOf(LogicalStatement.class, statement);
        assertSame(connection, statement.getConnection());
        ResultSet rs = statement.executeQuery("select 1");
        assertInstanceOf(LogicalResultSet.class, rs);
        assertSame(statement, rs.getStatement());
        assertSame(rs, statement.getResultSet(), "the same physical result set keeps one wrapper");
        assertSame(statement, statement.getGeneratedKeys().getStatement());

        PreparedStatement ps = connection.prepareStatement("select ?");
        assertSame(connection, ps.getConnection());
        assertSame(ps, ps.executeQuery().getStatement());

        CallableStatement cs = connection.prepareCall("{call f()}");
        assertInstanceOf(LogicalCallableStatement.class, cs);
        assertSame(cs, cs.executeQuery().getStatement());
    }

    @Test
    void metaDataLeadsBackToTheConnectionAndHidesInternalStatements() throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        assertSame(md, connection.getMetaData(), "identity is stable like pgjdbc's cached metadata");
        assertSame(connection, md.getConnection());
        ResultSet tables = md.getTables(null, null, "%", null);
        assertInstanceOf(LogicalResultSet.class, tables);
        assertNull(tables.getStatement());
    }

    @Test
    void closingTheConnectionClosesItsStatementsAndResultSets() throws SQLException {
        Statement a = connection.createStatement();
        PreparedStatement b = connection.prepareStatement("select 1");
        ResultSet rs = a.executeQuery("select 1");
        Statement closedEarly = connection.createStatement();
        closedEarly.close();
        assertEquals(2, connection.statements.size(), "a closed statement is forgotten");

        connection.close();
        assertTrue(connection.isClosed());
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(rs.isClosed());
        assertTrue(physical.isClosed());
        assertEquals(0, connection.statements.size());
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIs08003() throws SQLException {
        connection.close();
        int calls = fake.calls.size();
        connection.close();
        assertEquals(calls, fake.calls.size(), "second close does not reach the physical connection");
        for (Executable call : new Executable[] {connection::createStatement, () -> connection.prepareStatement("x"),
                connection::getAutoCommit, connection::commit, () -> connection.setSchema("s"), connection::getMetaData,
                () -> connection.setClientInfo("a", "b"), () -> connection.unwrap(PGConnection.class)}) {
            SQLException e = assertThrows(SQLException.class, call);
            assertEquals("08003", e.getSQLState());
        }
        assertFalse(connection.isValid(1));
        assertSame(connection, connection.unwrap(CitusConnection.class), "our own interface still unwraps");
    }

    @Test
    void statementCloseIsIdempotentAndUseAfterCloseFailsAsTheDriverDoes() throws SQLException {
        Statement statement = connection.createStatement();
        statement.close();
        statement.close();
        assertTrue(statement.isClosed());
        SQLException e = assertThrows(SQLException.class, () -> statement.executeQuery("select 1"));
        assertEquals("55000", e.getSQLState(), "the physical statement's own error");
    }

    @Test
    void unwrapReachesOurInterfaceAndThePhysicalConnection() throws SQLException {
        assertSame(connection, connection.unwrap(CitusConnection.class));
        assertSame(connection, connection.unwrap(Connection.class));
        assertTrue(connection.isWrapperFor(CitusConnection.class));
        assertSame(physical, connection.unwrap(PGConnection.class));
        assertTrue(connection.isWrapperFor(PGConnection.class));
        assertFalse(connection.isWrapperFor(String.class));
        assertThrows(SQLException.class, () -> connection.unwrap(String.class));
        assertTrue(connection.unwrap(CitusConnection.class).isCitus());
    }

    @Test
    void statementUnwrapReachesThePhysicalStatement() throws SQLException {
        Statement statement = connection.createStatement();
        assertSame(statement, statement.unwrap(Statement.class), "the wrapper is itself a Statement");
        PGStatement physicalStatement = statement.unwrap(PGStatement.class);
        assertNotSame(statement, physicalStatement);
        assertTrue(statement.isWrapperFor(PGStatement.class));
        PreparedStatement ps = connection.prepareStatement("x");
        assertSame(ps, ps.unwrap(PreparedStatement.class));
    }

    @Test
    void abortMarksClosedWithoutClosingStatementsOneByOne() throws SQLException {
        connection.createStatement();
        connection.abort(Runnable::run);
        assertTrue(connection.isClosed());
        assertEquals(0, connection.statements.size());
        assertEquals("08003", assertThrows(SQLException.class, connection::createStatement).getSQLState());
        connection.abort(Runnable::run); // no-op when closed
    }

    @Test
    void toStringIsUsefulAndHasNoPassword() throws SQLException {
        String text = connection.toString();
        assertTrue(text.contains("alice") && text.contains("h:5") && text.contains("citus=true"), text);
        assertFalse(text.contains("hunter2"), text);
        connection.close();
        assertTrue(connection.toString().contains("closed"));
    }
}
