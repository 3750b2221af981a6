package io.github.citusjdbc.topology;

import java.sql.SQLException;

/**
 * Where a {@link ClusterTopology} reads its catalogs from; the production implementation is
 * {@link MetadataConnectionSource}. Called from one refresh at a time.
 */
public interface TopologySource extends AutoCloseable {
    /**
     * Reads the catalogs once.
     *
     * @param version the version to give a new snapshot
     * @return the result
     * @throws Exception when the read fails; the caller keeps its last good snapshot
     */
    CatalogRead read(long version) throws Exception;

    /** Releases any held connection. Idempotent; never throws. */
    @Override
    void close();
}
