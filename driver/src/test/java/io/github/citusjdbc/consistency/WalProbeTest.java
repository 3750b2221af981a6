package io.github.citusjdbc.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When a standby's cached replay position may be believed without asking it. The server is a
 * stand-in that answers {@code pg_last_wal_replay_lsn()} with a settable value, so that a restart
 * behind an earlier position (which a real standby does after a crash, replaying again from its last
 * restartpoint) can be produced on demand; the real-server behaviour of read-your-writes is in
 * {@code ReadYourWritesTest}.
 */
class WalProbeTest {

    /** The stand-in standby: its replay position, whether its connections are broken, the reads it served. */
    private volatile String replayLsn = "0/5000";
    private volatile boolean broken;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();

    private final WalProbe probe = new WalProbe(new NodeAddress("standby.invalid", 5432), a -> {
        connects.incrementAndGet();
        return connection();
    }, false, () -> { });

    @Test
    void aPositionReadOnABrokenConnectionIsForgotten() throws SQLException {
        assertTrue(probe.replayed(0x5000));
        broken = true; // the standby crashed: the probe's connection is gone
        replayLsn = "0/3000"; // it comes back behind what it had replayed
        sleepPastTrust();
        assertThrows(SQLException.class, () -> probe.replayed(0x4000), "the read on the dead connection fails");
        broken = false;
        assertFalse(probe.replayed(0x4000), "0/5000 was read from the server before the restart: not believed");
        assertEquals(2, connects.get());
        assertEquals(0x3000, probe.highest());
    }

    @Test
    void aPositionIsBelievedWithoutAReadOnlyBriefly() throws SQLException {
        assertTrue(probe.replayed(0x5000));
        assertTrue(probe.replayed(0x4000));
        assertTrue(probe.replayed(0x5000));
        assertEquals(1, reads.get(), "within the trust window the cached position answers");
        sleepPastTrust();
        replayLsn = "0/4800"; // e.g. another server now answers at the address through the same proxy
        assertFalse(probe.replayed(0x5000));
        assertTrue(probe.replayed(0x4800));
        assertEquals(2, reads.get(), "one read after the window; the fresh answer (0/4800) decides");
    }

    @Test
    void aTargetNotYetReplayedIsAlwaysReadAgain() throws SQLException {
        assertFalse(probe.replayed(0x6000));
        replayLsn = "0/6000";
        assertTrue(probe.replayed(0x6000));
        assertEquals(2, reads.get());
    }

    private static void sleepPastTrust() {
        try {
            Thread.sleep(WalProbe.TRUST_NANOS / 1_000_000 + 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection connection() {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "createStatement" -> statement();
                    case "close" -> null;
                    case "isClosed" -> false;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Statement statement() {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Statement.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "executeQuery" -> {
                        if (broken) {
                            throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                        }
                        reads.incrementAndGet();
                        yield resultSet(replayLsn);
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private ResultSet resultSet(String value) {
        return (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "next" -> true;
                    case "getString" -> value;
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
