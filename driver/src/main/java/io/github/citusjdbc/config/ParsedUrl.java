package io.github.citusjdbc.config;

import io.github.citusjdbc.spi.NodeAddress;
import java.util.List;
import java.util.Properties;

/**
 * Internal: the parts of a {@code jdbc:citus:} URL.
 *
 * @param hosts    the host list, never empty
 * @param database the percent-decoded database name, possibly empty (the server then uses the user name)
 * @param query    the percent-decoded query parameters, later keys winning
 */
public record ParsedUrl(List<NodeAddress> hosts, String database, Properties query) {

    /**
     * Parses a {@code jdbc:citus:} URL without applying any property.
     *
     * @param url the URL
     * @return its parts
     * @throws java.sql.SQLException SQLState {@code 08001} when the URL is malformed
     */
    public static ParsedUrl parse(String url) throws java.sql.SQLException {
        return UrlParser.parse(url);
    }
}
