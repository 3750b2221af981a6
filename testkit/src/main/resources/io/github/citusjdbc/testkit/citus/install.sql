-- Citus emulation: the catalogs of Citus 12.1 (FACTS section 1) and the helpers the test kit needs,
-- installed on every primary. Run by a superuser with allow_system_table_mods = on.
-- Column order, types, nullability, defaults, constraints, index names and dropped columns follow
-- the Citus extension scripts (citus--*.sql), so that pg_attribute reads the same as on Citus.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;

SET search_path = pg_catalog;

CREATE TYPE pg_catalog.noderole AS ENUM (
    'primary',     -- node is available and accepting writes
    'secondary',   -- node is available but only accepts reads
    'unavailable'  -- node is in recovery or otherwise not usable
);

CREATE SEQUENCE pg_catalog.pg_dist_groupid_seq MINVALUE 1 MAXVALUE 4294967296;
CREATE SEQUENCE pg_catalog.pg_dist_node_nodeid_seq MINVALUE 1 MAXVALUE 4294967296;
CREATE SEQUENCE pg_catalog.pg_dist_colocationid_seq MINVALUE 1 MAXVALUE 4294967296;
CREATE SEQUENCE pg_catalog.pg_dist_shardid_seq MINVALUE 102008 NO CYCLE;
CREATE SEQUENCE pg_catalog.pg_dist_placement_placementid_seq NO CYCLE;

CREATE TABLE pg_catalog.pg_dist_node (
    nodeid int NOT NULL DEFAULT nextval('pg_dist_node_nodeid_seq') PRIMARY KEY,
    groupid int NOT NULL DEFAULT nextval('pg_dist_groupid_seq'),
    nodename text NOT NULL,
    nodeport int NOT NULL DEFAULT 5432,
    noderack text NOT NULL DEFAULT 'default',
    hasmetadata bool NOT NULL DEFAULT false,
    isactive bool NOT NULL DEFAULT true,
    noderole noderole NOT NULL DEFAULT 'primary',
    nodecluster name NOT NULL DEFAULT 'default',
    metadatasynced boolean DEFAULT false,
    shouldhaveshards bool NOT NULL DEFAULT true,
    UNIQUE (nodename, nodeport),
    CONSTRAINT primaries_are_only_allowed_in_the_default_cluster
        CHECK (NOT (nodecluster <> 'default' AND noderole = 'primary'))
);

CREATE TABLE pg_catalog.pg_dist_local_group (
    groupid int NOT NULL PRIMARY KEY
);

CREATE TABLE pg_catalog.pg_dist_partition (
    logicalrelid regclass NOT NULL,
    partmethod "char" NOT NULL,
    partkey text,
    colocationid integer DEFAULT 0 NOT NULL,
    repmodel "char" DEFAULT 'c' NOT NULL,
    autoconverted boolean DEFAULT false
);
CREATE UNIQUE INDEX pg_dist_partition_logical_relid_index ON pg_catalog.pg_dist_partition USING btree (logicalrelid);
CREATE INDEX pg_dist_partition_colocationid_index ON pg_catalog.pg_dist_partition USING btree (colocationid);

CREATE TABLE pg_catalog.pg_dist_shard (
    logicalrelid regclass NOT NULL,
    shardid int8 NOT NULL,
    shardstorage "char" NOT NULL,
    shardalias text,
    shardminvalue text,
    shardmaxvalue text
);
-- As in Citus: dropped after create, so that shardminvalue keeps attnum 5.
ALTER TABLE pg_catalog.pg_dist_shard DROP shardalias;
CREATE UNIQUE INDEX pg_dist_shard_shardid_index ON pg_catalog.pg_dist_shard USING btree (shardid);
CREATE INDEX pg_dist_shard_logical_relid_index ON pg_catalog.pg_dist_shard USING btree (logicalrelid);

CREATE TABLE pg_catalog.pg_dist_placement (
    placementid bigint NOT NULL DEFAULT nextval('pg_dist_placement_placementid_seq'::regclass),
    shardid bigint NOT NULL,
    shardstate int NOT NULL,
    shardlength bigint NOT NULL,
    groupid int NOT NULL,
    CONSTRAINT placement_shardid_groupid_unique_index UNIQUE (shardid, groupid)
);
CREATE INDEX pg_dist_placement_groupid_index ON pg_catalog.pg_dist_placement USING btree (groupid);
CREATE INDEX pg_dist_placement_shardid_index ON pg_catalog.pg_dist_placement USING btree (shardid);
CREATE UNIQUE INDEX pg_dist_placement_placementid_index ON pg_catalog.pg_dist_placement USING btree (placementid);

CREATE TABLE pg_catalog.pg_dist_colocation (
    colocationid int NOT NULL PRIMARY KEY,
    shardcount int NOT NULL,
    replicationfactor int NOT NULL,
    distributioncolumntype oid NOT NULL,
    distributioncolumncollation oid NOT NULL
);
CREATE INDEX pg_dist_colocation_configuration_index ON pg_catalog.pg_dist_colocation
    USING btree (distributioncolumntype, shardcount, replicationfactor, distributioncolumncollation);

CREATE TABLE pg_catalog.pg_dist_schema (
    schemaid oid NOT NULL,
    colocationid int NOT NULL,
    CONSTRAINT pg_dist_schema_pkey PRIMARY KEY (schemaid),
    CONSTRAINT pg_dist_schema_unique_colocationid_index UNIQUE (colocationid)
);

-- shard_name(): Citus's C function, here in SQL: the shard-extended name, schema-qualified
-- unless the schema is public.
CREATE FUNCTION pg_catalog.shard_name(object_name regclass, shard_id bigint)
    RETURNS text LANGUAGE sql STABLE STRICT
    SET search_path = pg_catalog
AS $$
    SELECT CASE WHEN n.nspname = 'public' THEN '' ELSE quote_ident(n.nspname) || '.' END
           || quote_ident(c.relname || '_' || shard_id)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = object_name
$$;

-- citus_shard_sizes(): emulated from local storage only (a placement stored on this node).
CREATE FUNCTION pg_catalog.citus_shard_sizes(OUT shard_id int, OUT size bigint)
    RETURNS SETOF record LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT sh.shardid::int, pg_total_relation_size(c.oid)
    FROM pg_dist_shard sh JOIN pg_class c ON c.oid = sh.logicalrelid
    WHERE c.relkind IN ('r', 'p')
$$;

-- worker_nextval(): as in Citus, the default of int/smallint sequence columns on workers; errors.
CREATE FUNCTION pg_catalog.worker_nextval(sequence regclass)
    RETURNS int LANGUAGE plpgsql VOLATILE STRICT
AS $$
BEGIN
    RAISE EXCEPTION 'nextval(sequence) calls in worker nodes are not supported for column defaults of type int or smallint';
END
$$;

CREATE VIEW pg_catalog.citus_shards AS
SELECT
     pg_dist_shard.logicalrelid AS table_name,
     pg_dist_shard.shardid,
     shard_name(pg_dist_shard.logicalrelid, pg_dist_shard.shardid) as shard_name,
     CASE WHEN colocationid IN (SELECT colocationid FROM pg_dist_schema) THEN 'schema'
      WHEN partkey IS NOT NULL THEN 'distributed'
      WHEN repmodel = 't' THEN 'reference'
      WHEN colocationid = 0 THEN 'local'
      ELSE 'distributed' END AS citus_table_type,
     colocationid AS colocation_id,
     pg_dist_node.nodename,
     pg_dist_node.nodeport,
     size as shard_size
FROM
   pg_dist_shard
JOIN
   pg_dist_placement
ON
   pg_dist_shard.shardid = pg_dist_placement.shardid
JOIN
   pg_dist_node
ON
   pg_dist_placement.groupid = pg_dist_node.groupid
JOIN
   pg_dist_partition
ON
   pg_dist_partition.logicalrelid = pg_dist_shard.logicalrelid
LEFT JOIN
   (SELECT shard_id, max(size) as size from citus_shard_sizes() GROUP BY shard_id) as shard_sizes
ON
    pg_dist_shard.shardid = shard_sizes.shard_id
WHERE
   pg_dist_placement.shardstate = 1
AND
   pg_dist_partition.logicalrelid NOT IN (
      SELECT objid FROM pg_depend
      WHERE classid = 'pg_class'::regclass AND refclassid = 'pg_extension'::regclass AND deptype = 'e'
   )
ORDER BY
   pg_dist_shard.logicalrelid::text, shardid
;

CREATE VIEW pg_catalog.citus_schemas AS
SELECT
    ts.schemaid::regnamespace AS schema_name,
    ts.colocationid AS colocation_id,
    CASE
        WHEN pg_catalog.has_schema_privilege(CURRENT_USER, ts.schemaid::regnamespace, 'USAGE')
        THEN pg_size_pretty(coalesce(schema_sizes.schema_size, 0))
        ELSE NULL
    END AS schema_size,
    pg_get_userbyid(n.nspowner) AS schema_owner
FROM
    pg_dist_schema ts
JOIN
    pg_namespace n ON (ts.schemaid = n.oid)
LEFT JOIN (
    SELECT c.relnamespace::regnamespace schema_id, SUM(size) AS schema_size
    FROM citus_shard_sizes() css, pg_dist_shard ds, pg_class c
    WHERE css.shard_id = ds.shardid AND ds.logicalrelid = c.oid
    GROUP BY schema_id
) schema_sizes ON schema_sizes.schema_id = ts.schemaid
ORDER BY
    schema_name;

GRANT SELECT ON pg_catalog.pg_dist_node, pg_catalog.pg_dist_local_group, pg_catalog.pg_dist_partition,
    pg_catalog.pg_dist_shard, pg_catalog.pg_dist_placement, pg_catalog.pg_dist_colocation,
    pg_catalog.pg_dist_schema, pg_catalog.citus_shards, pg_catalog.citus_schemas TO PUBLIC;
GRANT SELECT ON pg_catalog.pg_dist_groupid_seq, pg_catalog.pg_dist_node_nodeid_seq,
    pg_catalog.pg_dist_colocationid_seq, pg_catalog.pg_dist_shardid_seq,
    pg_catalog.pg_dist_placement_placementid_seq TO PUBLIC;

-- ----------------------------------------------------------------------------------------------
-- The emulation's own helpers (not part of Citus).
CREATE SCHEMA citus_emulation;
COMMENT ON SCHEMA citus_emulation IS 'citus-jdbc test kit: Citus emulation helpers, not part of Citus';
GRANT USAGE ON SCHEMA citus_emulation TO PUBLIC;

-- Whether the kit bypasses the emulated Citus DDL rules in this session (superusers only).
CREATE FUNCTION citus_emulation.bypassing() RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(current_setting('citus_emulation.bypass', true), '') = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
$$;

-- The names of the distributed schemas on this node.
CREATE FUNCTION citus_emulation.distributed_schemas() RETURNS SETOF name LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT n.nspname FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid
$$;

CREATE FUNCTION citus_emulation.reject_ddl(is_create_table boolean) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    local_group int := (SELECT groupid FROM pg_dist_local_group LIMIT 1);
BEGIN
    IF coalesce(local_group, 0) <> 0 THEN
        IF is_create_table THEN
            -- Citus 12.1 wording (commands/schema_based_sharding.c), SQLSTATE XX000 as Citus's plain ereport.
            RAISE EXCEPTION USING ERRCODE = 'XX000',
                MESSAGE = 'cannot create tables in a distributed schema from a worker node',
                HINT = 'Connect to the coordinator node and try again.';
        END IF;
        -- Citus's EnsureCoordinator().
        RAISE EXCEPTION USING ERRCODE = 'XX000',
            MESSAGE = 'operation is not allowed on this node',
            HINT = 'Connect to the coordinator and run it again.';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '0A000',
        MESSAGE = 'the Citus emulation of the citus-jdbc test kit does not propagate DDL on distributed schemas',
        HINT = 'Create and change tenant tables through the test kit (CitusOps.createTenant / tenantDdl).';
END
$$;

-- ddl_command_end: DDL on objects of a distributed schema.
CREATE FUNCTION citus_emulation.ddl_guard() RETURNS event_trigger LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    r record;
BEGIN
    IF citus_emulation.bypassing() THEN
        RETURN;
    END IF;
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        IF r.schema_name IN (SELECT citus_emulation.distributed_schemas())
           OR (r.object_type = 'schema' AND r.object_identity IN (SELECT quote_ident(citus_emulation.distributed_schemas()))) THEN
            PERFORM citus_emulation.reject_ddl(r.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO'));
        END IF;
    END LOOP;
END
$$;

-- sql_drop: dropping objects of (or) a distributed schema.
CREATE FUNCTION citus_emulation.drop_guard() RETURNS event_trigger LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    r record;
BEGIN
    IF citus_emulation.bypassing() THEN
        RETURN;
    END IF;
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        -- A dropped schema's pg_namespace row is already gone here: match it by oid.
        IF r.schema_name IN (SELECT citus_emulation.distributed_schemas())
           OR (r.object_type = 'schema' AND r.objid IN (SELECT schemaid FROM pg_dist_schema)) THEN
            PERFORM citus_emulation.reject_ddl(false);
        END IF;
    END LOOP;
END
$$;

CREATE EVENT TRIGGER citus_emulation_ddl_guard ON ddl_command_end EXECUTE FUNCTION citus_emulation.ddl_guard();
CREATE EVENT TRIGGER citus_emulation_drop_guard ON sql_drop EXECUTE FUNCTION citus_emulation.drop_guard();

-- The statements that recreate a table of a tenant: kind 'table' (CREATE TABLE, or CREATE FOREIGN
-- TABLE on server fdw_server), then for regular tables 'constraint', 'index', 'fkey'; 'owner' and
-- 'grant' always. Defaults are emitted with nextval(), never worker_nextval().
CREATE FUNCTION citus_emulation.table_ddl(rel regclass, fdw_server name)
    RETURNS TABLE (kind text, ddl text) LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
AS $$
DECLARE
    nsp name;
    tbl name;
    cols text;
    qualified text;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, tbl
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    qualified := format('%I.%I', nsp, tbl);

    SELECT string_agg(format('%I %s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                    THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
               CASE WHEN a.attgenerated = 's'
                    THEN format(' GENERATED ALWAYS AS (%s) STORED', pg_get_expr(d.adbin, d.adrelid))
                    WHEN d.adbin IS NOT NULL
                    THEN ' DEFAULT ' || replace(pg_get_expr(d.adbin, d.adrelid), 'worker_nextval(', 'nextval(')
                    WHEN a.attidentity <> ''
                    THEN format(' DEFAULT nextval(%L::regclass)', pg_get_serial_sequence(qualified, a.attname))
                    ELSE '' END,
               CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum)
    INTO cols
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;

    IF fdw_server IS NULL THEN
        RETURN QUERY SELECT 'table', format('CREATE TABLE %s (%s)', qualified, coalesce(cols, ''));
        RETURN QUERY
            SELECT 'constraint', format('ALTER TABLE %s ADD CONSTRAINT %I %s', qualified, co.conname, pg_get_constraintdef(co.oid))
            FROM pg_constraint co WHERE co.conrelid = rel AND co.contype IN ('p', 'u', 'c', 'x') ORDER BY co.oid;
        RETURN QUERY
            SELECT 'index', pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = rel
              AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = rel)
            ORDER BY i.indexrelid;
        RETURN QUERY
            SELECT 'fkey', format('ALTER TABLE %s ADD CONSTRAINT %I %s', qualified, co.conname, pg_get_constraintdef(co.oid))
            FROM pg_constraint co WHERE co.conrelid = rel AND co.contype = 'f' ORDER BY co.oid;
    ELSE
        RETURN QUERY SELECT 'table', format('CREATE FOREIGN TABLE %s (%s) SERVER %I OPTIONS (schema_name %L, table_name %L)',
                                            qualified, coalesce(cols, ''), fdw_server, nsp, tbl);
    END IF;
    RETURN QUERY SELECT 'owner', format('ALTER TABLE %s OWNER TO %I', qualified, pg_get_userbyid(c.relowner))
                 FROM pg_class c WHERE c.oid = rel;
    RETURN QUERY
        SELECT 'grant', format('GRANT %s ON %s TO %s', acl.privilege_type, qualified,
                               CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END)
        FROM pg_class c, aclexplode(c.relacl) acl
        WHERE c.oid = rel AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER');
END
$$;

-- Applies Citus's per-node sequence rules to the sequences of a schema on this node: on a worker a
-- bigint sequence hands out (groupid << 48) + 1 ... and an int/smallint one is exhausted, with the
-- columns using it defaulting to worker_nextval(); on the coordinator nothing changes. Idempotent:
-- a sequence already adjusted keeps its position.
CREATE FUNCTION citus_emulation.adjust_sequences(schema_name name) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    local_group int := coalesce((SELECT groupid FROM pg_dist_local_group LIMIT 1), 0);
    s record;
    col record;
    start_value bigint;
BEGIN
    IF local_group = 0 THEN
        RETURN;
    END IF;
    FOR s IN SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qname, q.seqtypid, q.seqmin, q.seqmax
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence q ON q.seqrelid = c.oid
             WHERE n.nspname = schema_name AND c.relkind = 'S' LOOP
        IF s.seqtypid = 'int8'::regtype THEN
            start_value := (local_group::bigint << 48) + 1;
            IF s.seqmin <> start_value OR s.seqmax <> start_value + (1::bigint << 48) THEN
                EXECUTE format('ALTER SEQUENCE %s START %s MINVALUE %s MAXVALUE %s RESTART %s', s.qname,
                               start_value, start_value, start_value + (1::bigint << 48), start_value);
            END IF;
        ELSE
            IF (SELECT last_value IS DISTINCT FROM s.seqmax FROM pg_sequences
                WHERE format('%I.%I', schemaname, sequencename) = s.qname) THEN
                PERFORM setval(s.oid, s.seqmax);
            END IF;
            FOR col IN SELECT format('%I.%I', n.nspname, c.relname) AS tname, c.relkind, a.attname
                       FROM pg_attrdef d
                       JOIN pg_class c ON c.oid = d.adrelid
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                       JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                       WHERE n.nspname = schema_name
                         AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'
                         AND EXISTS (SELECT 1 FROM pg_depend dep
                                     WHERE dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid
                                       AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = s.oid) LOOP
                EXECUTE format('ALTER %s %s ALTER COLUMN %I SET DEFAULT worker_nextval(%L::regclass)',
                               CASE WHEN col.relkind = 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                               col.tname, col.attname, s.qname);
            END LOOP;
        END IF;
    END LOOP;
END
$$;

RESET search_path;
