-- Removes the Citus emulation from a node (used before a re-install). Superuser, allow_system_table_mods = on.
-- Distributed schemas are dropped by the caller first.
DROP EVENT TRIGGER IF EXISTS citus_emulation_ddl_guard;
DROP EVENT TRIGGER IF EXISTS citus_emulation_drop_guard;
DROP SCHEMA IF EXISTS citus_emulation CASCADE;
DROP VIEW IF EXISTS pg_catalog.citus_schemas;
DROP VIEW IF EXISTS pg_catalog.citus_shards;
DROP FUNCTION IF EXISTS pg_catalog.citus_shard_sizes();
DROP FUNCTION IF EXISTS pg_catalog.shard_name(regclass, bigint);
DROP FUNCTION IF EXISTS pg_catalog.worker_nextval(regclass);
DROP TABLE IF EXISTS pg_catalog.pg_dist_schema, pg_catalog.pg_dist_colocation, pg_catalog.pg_dist_placement,
    pg_catalog.pg_dist_shard, pg_catalog.pg_dist_partition, pg_catalog.pg_dist_local_group, pg_catalog.pg_dist_node;
DROP SEQUENCE IF EXISTS pg_catalog.pg_dist_groupid_seq, pg_catalog.pg_dist_node_nodeid_seq,
    pg_catalog.pg_dist_colocationid_seq, pg_catalog.pg_dist_shardid_seq, pg_catalog.pg_dist_placement_placementid_seq;
DROP TYPE IF EXISTS pg_catalog.noderole;
DO $$
DECLARE s record;
BEGIN
    FOR s IN SELECT srvname FROM pg_foreign_server WHERE srvname LIKE 'citus\_group\_%' LOOP
        EXECUTE format('DROP SERVER %I CASCADE', s.srvname);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS pg_catalog.citus_schema_distribute(regnamespace);
DROP SCHEMA IF EXISTS citus CASCADE; -- the shard_transfer_mode type and citus_schema_move with it
