package io.github.citusjdbc.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeAddressTest {

    @Test
    void parsesHostAndPort() {
        assertEquals(new NodeAddress("db.example", 6432), NodeAddress.parse("db.example:6432"));
    }

    @Test
    void usesDefaultPortWhenAbsent() {
        assertEquals(new NodeAddress("db", 5432), NodeAddress.parse("db"));
        assertEquals(new NodeAddress("db", 7000), NodeAddress.parse("db", 7000));
    }

    @Test
    void parsesBracketedIpv6WithAndWithoutPort() {
        assertEquals(new NodeAddress("::1", 9700), NodeAddress.parse("[::1]:9700"));
        assertEquals(new NodeAddress("fe80::1%eth0", 5432), NodeAddress.parse("[fe80::1%eth0]"));
    }

    @Test
    void formatsIpv6InBracketsAndRoundTrips() {
        NodeAddress v6 = new NodeAddress("2001:db8::7", 5433);
        assertEquals("[2001:db8::7]:5433", v6.toString());
        assertTrue(v6.isIpv6Literal());
        assertEquals(v6, NodeAddress.parse(v6.toString(), 1));
        assertEquals("h:1", new NodeAddress("h", 1).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":5432", "h:", "h:0", "h:65536", "h:+1", "h:12a", "::1", "[::1", "[::1]x",
            "[host]:5", "h:5:6", "a b", "h/x", "[]:1", "h:123456"})
    void rejectsInvalidAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse(text));
    }
}
