/**
 * Publishes the driver's {@link io.github.citusjdbc.CitusMetrics} to Micrometer. Micrometer is an
 * optional dependency: only this package needs it on the class path.
 */
package io.github.citusjdbc.micrometer;
