package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** {@code nodeAddressMap} and {@code allowedHosts}. */
class AddressesTest {

    private static NodeAddress a(String text) {
        return NodeAddress.parse(text);
    }

    @Test
    void exactEntriesMapOneAddress() throws SQLException {
        MappedAddressTranslator t = MappedAddressTranslator.parse(" 10.0.0.5:5432 = db1.example.com:6432 , w2:5432=b2:6433");
        assertEquals(a("db1.example.com:6432"), t.translate(a("10.0.0.5:5432")));
        assertEquals(a("b2:6433"), t.translate(a("W2:5432")), "host names compare case-insensitively");
        NodeAddress other = a("10.0.0.5:5433");
        assertSame(other, t.translate(other), "another port of a mapped host stays");
    }

    @Test
    void hostOnlyEntriesMapEveryPortAndKeepItWhenTheTargetHasNone() throws SQLException {
        MappedAddressTranslator t = MappedAddressTranslator.parse("internal=public,node7=bouncer7:6432,node7:9999=x:1");
        assertEquals(a("public:5432"), t.translate(a("internal:5432")));
        assertEquals(a("public:9701"), t.translate(a("internal:9701")));
        assertEquals(a("bouncer7:6432"), t.translate(a("node7:1234")));
        assertEquals(a("x:1"), t.translate(a("node7:9999")), "an exact entry wins over a host entry");
    }

    @Test
    void ipv6LiteralsInBrackets() throws SQLException {
        MappedAddressTranslator t = MappedAddressTranslator.parse("[fd00::5]:5432=[::1]:6432,[fd00::6]=127.0.0.1");
        assertEquals(new NodeAddress("::1", 6432), t.translate(new NodeAddress("fd00::5", 5432)));
        assertEquals(new NodeAddress("127.0.0.1", 7000), t.translate(new NodeAddress("fd00::6", 7000)));
        assertEquals("[::1]:6432", t.translate(new NodeAddress("fd00::5", 5432)).toString());
    }

    @Test
    void blankMapsNothing() throws SQLException {
        assertTrue(MappedAddressTranslator.parse("  ").isEmpty());
        assertTrue(MappedAddressTranslator.parse(null).isEmpty());
    }

    @Test
    void allowListMatchesHostsAddressesAndDomains() throws SQLException {
        HostAllowList l = HostAllowList.parse("db1.example.com, 10.0.0.7:6432, [fd00::1], *.pool.example.net");
        assertTrue(l.allows(a("DB1.example.com:5432")));
        assertTrue(l.allows(a("db1.example.com:1")));
        assertTrue(l.allows(a("10.0.0.7:6432")));
        assertFalse(l.allows(a("10.0.0.7:5432")), "listed with a port: only that port");
        assertTrue(l.allows(new NodeAddress("fd00::1", 5432)));
        assertTrue(l.allows(a("w1.pool.example.net:6432")));
        assertFalse(l.allows(a("pool.example.net:6432")), "the domain itself is not under the domain");
        assertFalse(l.allows(a("evilpool.example.net:6432")));
        assertFalse(l.allows(a("attacker.example.org:5432")));
        assertTrue(HostAllowList.parse("").allows(a("anything:1")));
    }
}
