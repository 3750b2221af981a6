package io.github.citusjdbc.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recorded parameters replay with the setters that set them, also the setters with a second and
 * third value (whose arrays grow separately) set before and after the log grew.
 */
class ParameterLogTest {

    private static List<String> replayed(ParameterLog log) throws Exception {
        List<String> calls = new ArrayList<>();
        PreparedStatement target = (PreparedStatement) Proxy.newProxyInstance(ParameterLogTest.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, m, args) -> {
                    StringBuilder sb = new StringBuilder(m.getName());
                    for (Object a : args) {
                        sb.append(' ').append(a);
                    }
                    calls.add(sb.toString());
                    return null;
                });
        log.replay(target);
        return calls;
    }

    @Test
    void wideSettersReplayAfterTheLogGrew() throws Exception {
        ParameterLog log = new ParameterLog();
        log.setObject(1, new BigDecimal("1.50"), Types.NUMERIC, 2);
        log.setInt(2, 7);
        for (int i = 3; i <= 20; i++) {
            log.setLong(i, i);
        }
        log.setObject(20, "x", Types.VARCHAR, 0); // replaces the long at 20, beyond the wide arrays' first size
        List<String> calls = replayed(log);
        assertEquals(20, calls.size());
        assertEquals("setObject 1 1.50 2 2", calls.get(0));
        assertEquals("setInt 2 7", calls.get(1));
        assertEquals("setLong 19 19", calls.get(18));
        assertEquals("setObject 20 x 12 0", calls.get(19));
        assertEquals(calls, replayed(log.copy()), "a copy replays the same");
        log.clear();
        assertEquals(List.of(), replayed(log));
    }
}
