package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.AddressTranslator;
import io.github.citusjdbc.spi.NodeAddress;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link AddressTranslator} of the {@code nodeAddressMap} property:
 * {@code registered=dialled[,registered=dialled...]}, each side {@code host[:port]} with IPv6
 * literals in brackets ({@code [fd00::5]:5432}).
 *
 * <p>A registered side with a port maps exactly that address; one without a port maps every port
 * of the host (an exact entry wins). A dialled side without a port keeps the registered port.
 * Host names compare case-insensitively. Unmapped addresses are returned unchanged. The topology
 * translates each node once per snapshot, so {@link #translate} is off the per-statement path.
 * Immutable and thread-safe.
 */
public final class MappedAddressTranslator implements AddressTranslator {

    private static final MappedAddressTranslator EMPTY = new MappedAddressTranslator(Map.of(), Map.of(), "");

    private final Map<String, Side> exact;    // "host:port" (host lower-cased) -> dialled
    private final Map<String, Side> hostOnly; // host (lower-cased) -> dialled
    private final String text;

    private MappedAddressTranslator(Map<String, Side> exact, Map<String, Side> hostOnly, String text) {
        this.exact = Map.copyOf(exact);
        this.hostOnly = Map.copyOf(hostOnly);
        this.text = text;
    }

    /**
     * Parses a {@code nodeAddressMap} value.
     *
     * @param value the property value; null or blank gives a translator that maps nothing
     * @return the translator
     * @throws SQLException SQLState {@code 22023} naming {@code nodeAddressMap} when an entry is not
     *                      {@code registered=dialled}, an address is malformed (e.g. an IPv6
     *                      literal without brackets), or a registered address appears twice
     */
    public static MappedAddressTranslator parse(String value) throws SQLException {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            return EMPTY;
        }
        Map<String, Side> exact = new LinkedHashMap<>();
        Map<String, Side> hostOnly = new LinkedHashMap<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1 || entry.indexOf('=', eq + 1) >= 0) {
                throw CitusProperty.NODE_ADDRESS_MAP.invalidValue(text, "entry '" + entry
                        + "' is not registered=dialled (host[:port]=host[:port], IPv6 literals in brackets)");
            }
            Side from = Side.parse(entry.substring(0, eq).trim(), text);
            Side to = Side.parse(entry.substring(eq + 1).trim(), text);
            Map<String, Side> target = from.hasPort ? exact : hostOnly;
            String key = from.hasPort ? key(from.address.host(), from.address.port()) : lower(from.address.host());
            if (target.put(key, to) != null) {
                throw CitusProperty.NODE_ADDRESS_MAP.invalidValue(text, "address " + entry.substring(0, eq).trim()
                        + " is mapped twice");
            }
        }
        return new MappedAddressTranslator(exact, hostOnly, text);
    }

    /** @return the translator that maps nothing */
    public static MappedAddressTranslator empty() {
        return EMPTY;
    }

    /** @return whether no address is mapped */
    public boolean isEmpty() {
        return exact.isEmpty() && hostOnly.isEmpty();
    }

    @Override
    public NodeAddress translate(NodeAddress registered) {
        if (isEmpty()) {
            return registered;
        }
        Side to = exact.get(key(registered.host(), registered.port()));
        if (to == null) {
            to = hostOnly.get(lower(registered.host()));
        }
        if (to == null) {
            return registered;
        }
        return to.hasPort ? to.address : new NodeAddress(to.address.host(), registered.port());
    }

    /** Equal when they map the same addresses (settings are compared when routers are shared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof MappedAddressTranslator m && exact.equals(m.exact) && hostOnly.equals(m.hostOnly);
    }

    @Override
    public int hashCode() {
        return exact.hashCode() * 31 + hostOnly.hashCode();
    }

    /** @return the property value this was parsed from */
    @Override
    public String toString() {
        return "MappedAddressTranslator[" + text + "]";
    }

    private static String key(String host, int port) {
        return lower(host) + ":" + port;
    }

    private static String lower(String host) {
        return host.toLowerCase(Locale.ROOT);
    }

    /** One side of an entry: an address and whether its text named a port. */
    private record Side(NodeAddress address, boolean hasPort) {
        static Side parse(String side, String text) throws SQLException {
            try {
                NodeAddress address = NodeAddress.parse(side);
                // NodeAddress fills in a default port; whether the text had one decides the mapping's scope.
                boolean hasPort = side.startsWith("[") ? side.contains("]:") : side.indexOf(':') >= 0;
                return new Side(address, hasPort);
            } catch (IllegalArgumentException e) {
                throw CitusProperty.NODE_ADDRESS_MAP.invalidValue(text, e.getMessage());
            }
        }
    }
}
