/**
 * The small public extension API of citus-jdbc: immutable value types describing a Citus cluster
 * ({@link io.github.citusjdbc.spi.NodeAddress}, {@link io.github.citusjdbc.spi.Node},
 * {@link io.github.citusjdbc.spi.NodeRole}, {@link io.github.citusjdbc.spi.Topology}) and the
 * interfaces an application may implement to customise the driver
 * ({@link io.github.citusjdbc.spi.TenantResolver}, {@link io.github.citusjdbc.spi.NodeSelector},
 * {@link io.github.citusjdbc.spi.TopologyListener}, {@link io.github.citusjdbc.spi.AddressTranslator}).
 *
 * <p>This package depends on the JDK only. Every value type is immutable and safe to share
 * between threads; implementations of the interfaces must be thread-safe, because the driver
 * calls them from any application thread and from its background refresh thread.
 */
package io.github.citusjdbc.spi;
