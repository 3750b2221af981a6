/**
 * The extension API of citus-jdbc: what applications implement ({@code TenantResolver},
 * {@code NodeSelector}, {@code AddressTranslator}, {@code TopologyListener}) and the topology
 * types they are given. JDK only.
 */
module io.github.citusjdbc.spi {
    exports io.github.citusjdbc.spi;
}
