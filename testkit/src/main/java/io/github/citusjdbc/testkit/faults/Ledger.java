package io.github.citusjdbc.testkit.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every row the workload tried to write, by what became of it: acknowledged (the commit returned),
 * uncertain (the write or its commit failed in flight, so it may or may not be stored: the ambiguous
 * outcome every client of every database has), or rolled back (it must never be stored). Row ids are
 * unique across tenants; each row also stores the name of the tenant it was written for, so a row
 * written through a wrong {@code search_path} shows up in another tenant's table.
 */
public final class Ledger {
    private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    private final Map<Long, String> uncertain = new ConcurrentHashMap<>();
    private final Map<Long, String> rolledBack = new ConcurrentHashMap<>();
    private final Map<Long, String> writtenBy = new ConcurrentHashMap<>();

    void acknowledged(String tenant, Collection<Long> ids, String unit, long nanos) {
        ids.forEach(id -> {
            acknowledged.put(id, tenant);
            writtenBy.put(id, unit + " acknowledged at " + nanos + " ns");
        });
    }

    /** @return which unit of work wrote a row and when it was acknowledged, for diagnosis */
    public String writtenBy(long id) {
        return writtenBy.getOrDefault(id, "not acknowledged");
    }

    void uncertain(String tenant, Collection<Long> ids) {
        ids.forEach(id -> uncertain.put(id, tenant));
    }

    void rolledBack(String tenant, Collection<Long> ids) {
        ids.forEach(id -> rolledBack.put(id, tenant));
    }

    /** @return how many writes were acknowledged */
    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /**
     * Reads every tenant's table (schema-qualified, on a connection that pins nothing) and compares it
     * with what was written.
     */
    public Check check(Connection c, List<String> tenants) throws SQLException {
        Map<Long, String> stored = new HashMap<>();
        Set<String> misplaced = new HashSet<>();
        for (String tenant : tenants) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, tenant FROM \"" + tenant + "\"." + Workload.TABLE)) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    stored.put(id, tenant);
                    if (!tenant.equals(rs.getString(2))) {
                        misplaced.add("row " + id + " of " + rs.getString(2) + " stored in " + tenant);
                    }
                }
            }
        }
        Set<String> lost = new HashSet<>();
        acknowledged.forEach((id, tenant) -> {
            if (!tenant.equals(stored.get(id))) {
                lost.add(id + " of " + tenant + " (" + writtenBy(id) + ")");
            }
        });
        Set<Long> resurrected = new HashSet<>();
        Set<Long> unknown = new HashSet<>();
        int uncertainStored = 0;
        for (Long id : stored.keySet()) {
            if (rolledBack.containsKey(id)) {
                resurrected.add(id);
            } else if (uncertain.containsKey(id)) {
                uncertainStored++;
            } else if (!acknowledged.containsKey(id)) {
                unknown.add(id);
            }
        }
        return new Check(stored.size(), acknowledged.size(), uncertain.size(), uncertainStored, lost, resurrected,
                unknown, misplaced);
    }

    /**
     * What the tables hold against the ledger.
     *
     * @param stored          rows found
     * @param acknowledged    writes acknowledged
     * @param uncertain       writes whose outcome was unknown to the workload
     * @param uncertainStored how many of those are stored (each client saw a failure for them)
     * @param lost            acknowledged rows not found in their tenant's table
     * @param resurrected     rolled-back rows found
     * @param unknown         rows nobody wrote
     * @param misplaced       rows found in a tenant's table that were written for another tenant
     */
    public record Check(int stored, int acknowledged, int uncertain, int uncertainStored, Set<String> lost,
                        Set<Long> resurrected, Set<Long> unknown, Set<String> misplaced) {
        /** @return true when nothing acknowledged is lost and nothing is where it must not be */
        public boolean clean() {
            return lost.isEmpty() && resurrected.isEmpty() && unknown.isEmpty() && misplaced.isEmpty();
        }
    }
}
