package io.github.citusjdbc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlParserTest {

    @Test
    void singleHostWithPortAndDatabase() throws SQLException {
        ParsedUrl url = ParsedUrl.parse("jdbc:citus://db.example:6432/app");
        assertEquals(List.of(new NodeAddress("db.example", 6432)), url.hosts());
        assertEquals("app", url.database());
        assertTrue(url.query().isEmpty());
    }

    @Test
    void defaultPortIs5432() throws SQLException {
        assertEquals(List.of(new NodeAddress("h", 5432)), ParsedUrl.parse("jdbc:citus://h/db").hosts());
    }

    @Test
    void multipleHostsKeepTheirOrderAndPorts() throws SQLException {
        ParsedUrl url = ParsedUrl.parse("jdbc:citus://a:1,b,[::1]:3,[fe80::2]/db");
        assertEquals(List.of(new NodeAddress("a", 1), new NodeAddress("b", 5432), new NodeAddress("::1", 3),
                new NodeAddress("fe80::2", 5432)), url.hosts());
    }

    @Test
    void emptyDatabaseIsAllowed() throws SQLException {
        assertEquals("", ParsedUrl.parse("jdbc:citus://h/").database());
        assertEquals("", ParsedUrl.parse("jdbc:citus://h/?user=u").database());
    }

    @Test
    void databaseAndQueryArePercentDecodedAsPgjdbcDoes() throws SQLException {
        ParsedUrl url = ParsedUrl.parse("jdbc:citus://h/my%20db?application%4eame=a+b%26c&password=p%3Dq%25");
        assertEquals("my db", url.database());
        assertEquals("a b&c", url.query().getProperty("applicationName"));
        assertEquals("p=q%", url.query().getProperty("password"));
    }

    @Test
    void laterQueryKeysWinAndValuelessKeysAreEmpty() throws SQLException {
        ParsedUrl url = ParsedUrl.parse("jdbc:citus://h/db?ssl=true&ssl=false&&tcpKeepAlive&");
        assertEquals("false", url.query().getProperty("ssl"));
        assertEquals("", url.query().getProperty("tcpKeepAlive"));
        assertEquals(2, url.query().size());
    }

    @Test
    void valueMayContainEqualsSign() throws SQLException {
        assertEquals("-c a=b", ParsedUrl.parse("jdbc:citus://h/db?options=-c%20a=b").query().getProperty("options"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:citus:", "jdbc:citus:db", "jdbc:citus:/h/db", "jdbc:citus://", "jdbc:citus:///db",
            "jdbc:citus://h", "jdbc:citus://h?x=1", "jdbc:citus://h:/db", "jdbc:citus://h:0/db",
            "jdbc:citus://h:65536/db", "jdbc:citus://h:-1/db", "jdbc:citus://h:5x/db", "jdbc:citus://::1/db",
            "jdbc:citus://[::1/db", "jdbc:citus://[::1]5432/db", "jdbc:citus://a,,b/db", "jdbc:citus://a,/db",
            "jdbc:citus://h/db?=v", "jdbc:citus://h/db%zz", "jdbc:citus://h/db?k=%G1", "jdbc:postgresql://h/db",
            "jdbc:citus://u:pw@h/db"})
    void malformedUrlsFailWith08001(String url) {
        SQLException e = assertThrows(SQLException.class, () -> ParsedUrl.parse(url));
        assertEquals("08001", e.getSQLState(), e.getMessage());
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertTrue(message("jdbc:citus://h:99999/db").contains("port"));
        assertTrue(message("jdbc:citus://::1/db").contains("brackets"));
        assertTrue(message("jdbc:citus://h").contains("'/'"));
    }

    private static String message(String url) {
        return assertThrows(SQLException.class, () -> ParsedUrl.parse(url)).getMessage();
    }

    @Test
    void messagesNeverRepeatTheQueryOrUserInfo() {
        SQLException e = assertThrows(SQLException.class,
                () -> ParsedUrl.parse("jdbc:citus://h/db?password=hunter2%zz"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("password"), "names the parameter: " + e.getMessage());
        SQLException userInfo = assertThrows(SQLException.class,
                () -> ParsedUrl.parse("jdbc:citus://alice:hunter2@h/db"));
        assertFalse(userInfo.getMessage().contains("hunter2"), userInfo.getMessage());
    }
}
