package io.github.citusjdbc.cluster;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Run by {@link MetricsTest} in a JVM of its own, with Micrometer and OpenTelemetry left off the class path: routes two
 * read-only units and prints whether Micrometer could be loaded and what the metrics counted.
 * Arguments: URL, user, password, tenant.
 */
public final class MetricsProbe {

    private MetricsProbe() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", args[1]);
        p.setProperty("password", args[2]);
        boolean micrometer;
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            micrometer = true;
        } catch (ClassNotFoundException e) {
            micrometer = false;
        }
        System.out.println("micrometer=" + micrometer);
        boolean openTelemetry;
        try {
            Class.forName("io.opentelemetry.api.trace.Span");
            openTelemetry = true;
        } catch (ClassNotFoundException e) {
            openTelemetry = false;
        }
        System.out.println("opentelemetry=" + openTelemetry);
        try (Connection c = DriverManager.getConnection(args[0], p)) {
            c.setSchema(args[3]);
            c.setReadOnly(true);
            CitusMetrics metrics = c.unwrap(CitusConnection.class).metrics();
            long before = metrics.getUnitsByReason().getOrDefault("READ_TENANT_SECONDARY", 0L);
            for (int i = 0; i < 2; i++) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                }
            }
            System.out.println("counted=" + (metrics.getUnitsByReason().getOrDefault("READ_TENANT_SECONDARY", 0L) - before));
        }
    }
}
