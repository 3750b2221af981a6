package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures each active secondary's replication lag in bytes of WAL, with functions any role may
 * call: the standby's {@code pg_last_wal_replay_lsn()} and, afterwards, its primary's
 * {@code pg_current_wal_flush_lsn()}. Lag = primary flush position − standby replay position,
 * never negative.
 *
 * <p>Why bytes and not time: {@code now() - pg_last_xact_replay_timestamp()} grows on an idle
 * primary although the standby is caught up, and {@code pg_stat_replication}'s time columns are
 * hidden from non-superusers. Byte lag is exact and zero at rest. Why the flush position: it is
 * what the primary can have sent (the insert position may point past a page header a standby
 * never replays). The standby is read first, so time passing between the two reads can only
 * overstate the lag, never understate it.
 *
 * <p>Connections are opened per measurement and closed at once (one round trip each, once per
 * refresh interval), so the probe holds no idle connection. A node that cannot be reached, a
 * "secondary" that is not in recovery (promoted) or has replayed nothing yet is left out: its lag
 * is unknown. When a group's primary cannot be reached (it is down), its secondaries' lag is measured
 * against the last WAL position that primary gave: a standby that replayed it has everything the
 * primary had then, which is the same guarantee every measurement gives (each is up to one refresh
 * interval old), and it keeps the tenant readable on its standby while the primary is down. Only addresses the {@link DialFilter} allows are ever connected to (the application's
 * credentials go nowhere else): a secondary or a primary outside it leaves the lag unknown. Thread-safe.
 */
public final class ReplicationLagProbe implements LagMeasurer {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationLagProbe.class);
    static final String STANDBY_QUERY = "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_wal_replay_lsn()::text";
    static final String PRIMARY_QUERY = "SELECT pg_catalog.pg_current_wal_flush_lsn()::text";

    private final NodeConnector connector;
    private final DialFilter allowed;
    private final Map<Integer, Long> lastFlushedByGroup = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param connector opens connections to single nodes, e.g. {@link PgjdbcConnections#nodes}
     * @param allowed   the addresses the probe may connect to
     */
    public ReplicationLagProbe(NodeConnector connector, DialFilter allowed) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
    }

    /** @param connector opens connections to single nodes; every address is allowed */
    public ReplicationLagProbe(NodeConnector connector) {
        this(connector, address -> true);
    }

    @Override
    public Map<Integer, Long> measure(Topology topology, Map<Integer, NodeAddress> dialAddresses) {
        Map<Integer, Long> lags = new HashMap<>();
        for (int group : topology.groupIds()) {
            List<Node> secondaries = topology.activeSecondariesOf(group);
            Optional<Node> primary = topology.primaryOf(group);
            if (secondaries.isEmpty() || primary.isEmpty()) {
                continue;
            }
            NodeAddress primaryAddress = dialAddresses.getOrDefault(primary.get().nodeId(), primary.get().address());
            if (!allowed.allows(primaryAddress)) {
                LOG.debug("primary of group {} ({}) is not allowed: lag of its secondaries unknown", group, primaryAddress);
                continue;
            }
            Map<Integer, Long> replayed = new LinkedHashMap<>();
            for (Node s : secondaries) {
                NodeAddress address = dialAddresses.getOrDefault(s.nodeId(), s.address());
                if (!allowed.allows(address)) {
                    LOG.debug("secondary {} ({}) is not allowed: lag unknown", s.nodeId(), address);
                    continue;
                }
                try (Connection c = connector.connect(address); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery(STANDBY_QUERY)) {
                    rs.next();
                    String lsn = rs.getString(2);
                    if (rs.getBoolean(1) && lsn != null) {
                        replayed.put(s.nodeId(), parseLsn(lsn));
                    } else {
                        LOG.debug("secondary {} ({}) is not replaying: lag unknown", s.nodeId(), address);
                    }
                } catch (SQLException e) {
                    LOG.debug("secondary {} ({}) unreachable for lag measurement: {}", s.nodeId(), address, e.getSQLState());
                }
            }
            if (replayed.isEmpty()) {
                continue;
            }
            long flushed;
            try (Connection c = connector.connect(primaryAddress); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(PRIMARY_QUERY)) {
                rs.next();
                flushed = parseLsn(rs.getString(1));
                lastFlushedByGroup.put(group, flushed);
            } catch (SQLException e) {
                // In recovery ("recovery is in progress") or unreachable: a primary in trouble.
                Long last = lastFlushedByGroup.get(group);
                if (last == null) {
                    LOG.debug("primary of group {} ({}) gave no WAL position: {}; lag unknown", group, primaryAddress,
                            e.getSQLState());
                    continue;
                }
                LOG.debug("primary of group {} ({}) gave no WAL position: {}; lag against its last one", group,
                        primaryAddress, e.getSQLState());
                flushed = last;
            }
            long reference = flushed;
            replayed.forEach((nodeId, lsn) -> lags.put(nodeId, Math.max(0, reference - lsn)));
        }
        return lags;
    }

    /**
     * Parses PostgreSQL's text form of a {@code pg_lsn}, {@code XXXXXXXX/XXXXXXXX} in hex.
     *
     * @param text the LSN text
     * @return its 64-bit position
     * @throws IllegalArgumentException when the text is not an LSN
     */
    public static long parseLsn(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not an LSN: " + text);
        }
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        if (high > 0xFFFFFFFFL || low > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("not an LSN: " + text);
        }
        return (high << 32) | low;
    }
}
