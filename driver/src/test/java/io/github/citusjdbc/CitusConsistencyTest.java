package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read-your-writes token's text form and its binding to a thread. */
class CitusConsistencyTest {

    @Test
    void aTokenSurvivesItsTextForm() throws SQLException {
        Map<Integer, Long> positions = Map.of(1, 0x3A000128L, 2, 0x1_0000_00FFL, 0, 0L);
        String token = CitusConsistency.format(positions);
        assertEquals("rw1:0=0/0,1=0/3A000128,2=1/FF", token);
        assertEquals(positions, CitusConsistency.parse(token));
        assertEquals(Map.of(), CitusConsistency.parse("rw1:"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "rw2:1=0/1", "rw1:1", "rw1:1=", "rw1:1=0/", "rw1:=0/1", "rw1:x=0/1", "rw1:1=0/1,",
            "rw1:1=0/1,1=0/2", "rw1:-1=0/1", "rw1:1=100000000/0", "rw1:1=0/1FFFFFFFF", "rw1:1=g/1", "secret-ish"})
    void aMalformedTokenIsRefusedWithoutRepeatingIt(String token) {
        SQLException e = assertThrows(SQLException.class, () -> CitusConsistency.require(token));
        assertEquals("22023", e.getSQLState());
        assertFalse(!token.isEmpty() && e.getMessage().contains(token), e.getMessage());
        assertNull(CitusConsistency.required(), "nothing bound after a refusal");
    }

    @Test
    void scopesNestAndRestore() throws SQLException {
        assertNull(CitusConsistency.required());
        try (CitusConsistency.Scope outer = CitusConsistency.require("rw1:1=0/10")) {
            assertEquals(Map.of(1, 0x10L), CitusConsistency.required());
            try (CitusConsistency.Scope inner = CitusConsistency.require("rw1:2=0/20")) {
                assertEquals(Map.of(2, 0x20L), CitusConsistency.required());
                try (CitusConsistency.Scope none = CitusConsistency.require(null)) {
                    assertNull(CitusConsistency.required());
                }
                assertEquals(Map.of(2, 0x20L), CitusConsistency.required());
            }
            assertEquals(Map.of(1, 0x10L), CitusConsistency.required());
        }
        assertNull(CitusConsistency.required());
    }
}
