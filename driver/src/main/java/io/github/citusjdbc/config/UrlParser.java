package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.spi.NodeAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Parses {@code jdbc:citus://host1[:port1][,host2[:port2]...]/[database][?key=value&...]}.
 *
 * <p>A pure function. IPv6 literals go in brackets; the default port is 5432. The database and
 * the query are percent-decoded as pgjdbc does ({@code +} is a space), host names are not.
 * Error messages never repeat the query, which may hold a password.
 */
final class UrlParser {

    /** The only URL prefix the driver accepts. */
    static final String PREFIX = "jdbc:citus:";

    private UrlParser() {
    }

    static ParsedUrl parse(String url) throws SQLException {
        if (url == null || !url.startsWith(PREFIX)) {
            throw malformed("the URL must start with " + PREFIX + "//");
        }
        String rest = url.substring(PREFIX.length());
        if (!rest.startsWith("//")) {
            throw malformed("expected '//' after " + PREFIX);
        }
        rest = rest.substring(2);
        int queryStart = rest.indexOf('?');
        String query = queryStart < 0 ? "" : rest.substring(queryStart + 1);
        String path = queryStart < 0 ? rest : rest.substring(0, queryStart);
        int slash = path.indexOf('/');
        if (slash < 0) {
            throw malformed("expected '/' after the host list (write jdbc:citus://host:port/database)");
        }
        List<NodeAddress> hosts = parseHosts(path.substring(0, slash));
        String database = decode(path.substring(slash + 1), "the database name");
        return new ParsedUrl(List.copyOf(hosts), database, parseQuery(query));
    }

    private static List<NodeAddress> parseHosts(String hostList) throws SQLException {
        if (hostList.indexOf('@') >= 0) {
            // Probably user:password@host; never echo it.
            throw malformed("user information (user:password@) is not supported in the host list;"
                    + " give user and password as properties");
        }
        if (hostList.isEmpty()) {
            throw malformed("the host list is empty");
        }
        List<NodeAddress> hosts = new ArrayList<>();
        for (String spec : hostList.split(",", -1)) {
            try {
                hosts.add(NodeAddress.parse(spec, NodeAddress.DEFAULT_PORT));
            } catch (IllegalArgumentException e) {
                throw malformed("invalid host or port '" + spec + "': " + e.getMessage());
            }
        }
        return hosts;
    }

    private static Properties parseQuery(String query) throws SQLException {
        Properties properties = new Properties();
        if (query.isEmpty()) {
            return properties;
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // tolerate "a=1&&b=2" and a trailing '&', as pgjdbc does
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq), "a parameter name");
            if (key.isEmpty()) {
                throw malformed("a query parameter has an empty name");
            }
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "the value of parameter " + key);
            properties.setProperty(key, value);
        }
        return properties;
    }

    private static String decode(String text, String what) throws SQLException {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed("invalid percent-encoding in " + what);
        }
    }

    private static SQLException malformed(String reason) {
        return new SQLException("Malformed citus-jdbc URL: " + reason, CitusSqlState.UNABLE_TO_CONNECT.getState());
    }
}
