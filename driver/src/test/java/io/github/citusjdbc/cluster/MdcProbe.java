package io.github.citusjdbc.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.slf4j.MDC;

/** Run by {@link RouteMdcTest} in a JVM of its own (the routing logger's level is fixed per JVM). */
public final class MdcProbe {
    private MdcProbe() {
    }

    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], a[1], a[2])) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            c.setSchema(a[3]);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            System.out.println("in=" + MDC.get("citus.tenant") + "|" + MDC.get("citus.node") + "|" + MDC.get("citus.route"));
            c.commit();
            System.out.println("after=" + MDC.get("citus.tenant") + "|" + MDC.get("citus.node") + "|" + MDC.get("citus.route"));
        }
    }
}
