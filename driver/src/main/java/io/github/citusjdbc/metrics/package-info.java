/**
 * Counters and gauges of one cluster ({@link io.github.citusjdbc.metrics.ClusterMetrics}, the
 * {@link io.github.citusjdbc.CitusMetrics} of the public API and its JMX MXBean), and their optional
 * publication to Micrometer ({@link io.github.citusjdbc.metrics.CitusMeterBinder}). docs/metrics.md
 * lists the names.
 */
package io.github.citusjdbc.metrics;
