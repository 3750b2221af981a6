package io.github.citusjdbc;

import io.github.citusjdbc.config.ParsedUrl;
import io.github.citusjdbc.config.Secrets;
import io.github.citusjdbc.spi.NodeAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * A {@link CitusDataSource}'s {@code jdbc:citus:} URL, both ways: built from its bean state (with
 * secrets for the driver, without them for everyone else), and applied to its bean state by
 * {@link CitusDataSource#setUrl}; and the user and password that go to the driver beside the URL.
 */
final class DataSourceUrl {

    private DataSourceUrl() {
    }

    /**
     * @param pgjdbcUrl   pgjdbc's {@code BaseDataSource.getUrl()}: {@code jdbc:postgresql://hosts/db?...}, values URL-encoded
     * @param other       keys pgjdbc's data source does not know, appended sorted after pgjdbc's
     * @param citus       our keys ({@link CitusProperty}), appended sorted last
     * @param withSecrets whether to keep password keys ({@code password}, {@code sslpassword}, ...)
     * @return the {@code jdbc:citus:} URL
     */
    static String build(String pgjdbcUrl, Properties other, Properties citus, boolean withSecrets) {
        int query = pgjdbcUrl.indexOf('?');
        StringBuilder url = new StringBuilder(CitusDriver.URL_PREFIX)
                .append(pgjdbcUrl, "jdbc:postgresql:".length(), query < 0 ? pgjdbcUrl.length() : query);
        char separator = '?';
        if (query >= 0) {
            for (String pair : pgjdbcUrl.substring(query + 1).split("&")) {
                if (!pair.isEmpty() && (withSecrets || !Secrets.isSecret(pair.substring(0, Math.max(0, pair.indexOf('=')))))) {
                    url.append(separator).append(pair);
                    separator = '&';
                }
            }
        }
        for (Properties extra : new Properties[] {other, citus}) {
            for (String key : extra.stringPropertyNames().stream().sorted().toList()) {
                if (withSecrets || !Secrets.isSecret(key)) {
                    url.append(separator).append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                            .append(URLEncoder.encode(extra.getProperty(key), StandardCharsets.UTF_8));
                    separator = '&';
                }
            }
        }
        return url.toString();
    }

    /**
     * @param user     the user, or null
     * @param password the password, or null
     * @return the connection properties with those that are not null, for {@link CitusDriver#connect}
     */
    static Properties credentials(String user, String password) {
        Properties info = new Properties();
        if (user != null) {
            info.setProperty(PGProperty.USER.getName(), user);
        }
        if (password != null) {
            info.setProperty(PGProperty.PASSWORD.getName(), password);
        }
        return info;
    }

    /**
     * Sets servers, ports and database from a URL, and each key of its query with
     * {@link CitusDataSource#setProperty}; other keys set before are kept.
     *
     * @param url    a {@code jdbc:citus:} URL
     * @param target the data source to configure
     * @throws SQLException SQLState {@code 08001} for a malformed URL; as {@code setProperty} throws it for a bad value
     */
    static void apply(String url, CitusDataSource target) throws SQLException {
        ParsedUrl parts = ParsedUrl.parse(url);
        String[] names = new String[parts.hosts().size()];
        int[] ports = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            NodeAddress host = parts.hosts().get(i);
            // Bracket IPv6 literals: BaseDataSource writes server names into its URL as given.
            names[i] = host.isIpv6Literal() ? "[" + host.host() + "]" : host.host();
            ports[i] = host.port();
        }
        target.setServerNames(names);
        target.setPortNumbers(ports);
        target.setDatabaseName(parts.database());
        for (String key : parts.query().stringPropertyNames()) {
            target.setProperty(key, parts.query().getProperty(key));
        }
    }
}
