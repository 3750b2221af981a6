package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.DialFilter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code allowedHosts} property: which dialled addresses routing may ever connect to, and so
 * send credentials to. Entries are {@code host}, {@code host:port}, {@code [ipv6]},
 * {@code [ipv6]:port} or {@code *.domain} (every host name ending in {@code .domain}); host names
 * compare case-insensitively. An empty list allows everything.
 *
 * <p>Checked once per node and topology snapshot (when the routing table is built), never per
 * statement. Immutable and thread-safe.
 */
public final class HostAllowList implements DialFilter {

    private static final HostAllowList ALL = new HostAllowList(Set.of(), Set.of(), List.of(), "");

    private final Set<String> hosts;      // any port
    private final Set<String> addresses;  // "host:port"
    private final List<String> suffixes;  // ".domain"
    private final String text;

    private HostAllowList(Set<String> hosts, Set<String> addresses, List<String> suffixes, String text) {
        this.hosts = Set.copyOf(hosts);
        this.addresses = Set.copyOf(addresses);
        this.suffixes = List.copyOf(suffixes);
        this.text = text;
    }

    /** @return the list that allows every address */
    public static HostAllowList allowAll() {
        return ALL;
    }

    /**
     * Parses an {@code allowedHosts} value.
     *
     * @param value the property value; null or blank allows everything
     * @return the allow-list
     * @throws SQLException SQLState {@code 22023} naming {@code allowedHosts} for an empty entry,
     *                      a malformed address or a wildcard other than a leading {@code *.}
     */
    public static HostAllowList parse(String value) throws SQLException {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            return ALL;
        }
        Set<String> hosts = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        List<String> suffixes = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                throw CitusProperty.ALLOWED_HOSTS.invalidValue(text, "empty entry");
            }
            if (entry.startsWith("*.") && entry.length() > 2 && entry.indexOf('*', 1) < 0 && entry.indexOf(':') < 0) {
                suffixes.add(lower(entry.substring(1)));
                continue;
            }
            if (entry.indexOf('*') >= 0) {
                throw CitusProperty.ALLOWED_HOSTS.invalidValue(text, "'" + entry
                        + "': a wildcard is only allowed as a leading '*.' of a domain, without port");
            }
            NodeAddress a;
            try {
                a = NodeAddress.parse(entry);
            } catch (IllegalArgumentException e) {
                throw CitusProperty.ALLOWED_HOSTS.invalidValue(text, e.getMessage());
            }
            boolean hasPort = entry.startsWith("[") ? entry.contains("]:") : entry.indexOf(':') >= 0;
            if (hasPort) {
                addresses.add(lower(a.host()) + ":" + a.port());
            } else {
                hosts.add(lower(a.host()));
            }
        }
        return new HostAllowList(hosts, addresses, suffixes, text);
    }

    /** @return whether every address is allowed (the property is empty) */
    public boolean allowsAll() {
        return hosts.isEmpty() && addresses.isEmpty() && suffixes.isEmpty();
    }

    /**
     * @param dialled an address routing would connect to (after the address translation)
     * @return whether routing may connect to it
     */
    @Override
    public boolean allows(NodeAddress dialled) {
        if (allowsAll()) {
            return true;
        }
        String host = lower(dialled.host());
        if (hosts.contains(host) || addresses.contains(host + ":" + dialled.port())) {
            return true;
        }
        for (String suffix : suffixes) {
            if (host.endsWith(suffix) && !dialled.isIpv6Literal()) {
                return true;
            }
        }
        return false;
    }

    /** Equal when they allow the same addresses (settings are compared when routers are shared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostAllowList h && hosts.equals(h.hosts) && addresses.equals(h.addresses)
                && Set.copyOf(suffixes).equals(Set.copyOf(h.suffixes));
    }

    @Override
    public int hashCode() {
        return hosts.hashCode() * 31 + addresses.hashCode();
    }

    /** @return the property value this was parsed from */
    @Override
    public String toString() {
        return "HostAllowList[" + text + "]";
    }

    private static String lower(String host) {
        return host.toLowerCase(Locale.ROOT);
    }
}
