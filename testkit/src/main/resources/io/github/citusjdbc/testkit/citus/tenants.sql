-- Citus emulation, part 2: Citus's schema-based sharding functions with Citus's names and
-- signatures (12.1), so that a client sends the same SQL to the emulation as to real Citus:
--   citus_schema_distribute(regnamespace), citus_schema_move(regnamespace, text, integer, citus.shard_transfer_mode),
--   CREATE TABLE in a distributed schema on the coordinator (shipped to a worker at commit),
--   DROP SCHEMA of a distributed schema on the coordinator (dropped everywhere).
-- This is the ONE implementation of tenant creation, DDL, moves and drops: EmulatedCitus calls it.
-- Installed on every primary after install.sql (same session settings); the operations refuse to
-- run off the coordinator. They reach the other primaries with dblink through the postgres_fdw
-- servers citus_group_<groupid> and the user mapping of the functions' owner (the superuser that
-- installed them), in sessions that bypass the DDL guard.

-- citus_emulation.dblink* below is rewritten by EmulatedCitus to the schema dblink is installed in.

CREATE SCHEMA IF NOT EXISTS citus;
GRANT USAGE ON SCHEMA citus TO PUBLIC;
-- As in citus--7.1-3--7.1-4.sql. The emulation copies rows with writes blocked whatever the mode.
CREATE TYPE citus.shard_transfer_mode AS ENUM ('auto', 'force_logical', 'block_writes');

SET search_path = pg_catalog;

-- ------------------------------------------------------------------------------------ plumbing

CREATE FUNCTION citus_emulation.local_group() RETURNS int LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$ SELECT coalesce((SELECT groupid FROM pg_dist_local_group LIMIT 1), 0) $$;

-- Citus's EnsureCoordinator().
CREATE FUNCTION citus_emulation.ensure_coordinator() RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
BEGIN
    IF citus_emulation.local_group() <> 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = 'operation is not allowed on this node',
            HINT = 'Connect to the coordinator and run it again.';
    END IF;
END
$$;

-- Who may change a distributed schema: its owner (or a member of the owning role) or a superuser,
-- judged by the login role since the operations run as SECURITY DEFINER.
CREATE FUNCTION citus_emulation.ensure_schema_owner(schema_oid oid) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    owner oid := (SELECT nspowner FROM pg_namespace WHERE oid = schema_oid);
BEGIN
    IF owner IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '3F000', MESSAGE = format('schema with OID %s does not exist', schema_oid);
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
       AND NOT pg_has_role(session_user, owner, 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('must be owner of schema %s', schema_oid::regnamespace);
    END IF;
END
$$;

-- A dblink session to a group's primary, opened once per operation, as the functions' owner.
CREATE FUNCTION citus_emulation.connect(grp int) RETURNS text LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    conn text := 'citus_emulation_' || grp;
BEGIN
    IF conn = ANY (coalesce(citus_emulation.dblink_get_connections(), '{}'::text[])) THEN
        RETURN conn;
    END IF;
    PERFORM citus_emulation.dblink_connect(conn, 'citus_group_' || grp);
    PERFORM citus_emulation.dblink_exec(conn, 'SET allow_system_table_mods = on');
    PERFORM citus_emulation.dblink_exec(conn, 'SET citus_emulation.bypass = on');
    PERFORM citus_emulation.dblink_exec(conn, 'SET lock_timeout = ''30s''');
    PERFORM citus_emulation.dblink_exec(conn, 'SET client_min_messages = warning');
    RETURN conn;
END
$$;

-- Closes the operation's sessions; a session closed inside a transaction rolls it back.
CREATE FUNCTION citus_emulation.disconnect_all() RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    conn text;
BEGIN
    FOREACH conn IN ARRAY coalesce(citus_emulation.dblink_get_connections(), '{}'::text[]) LOOP
        IF conn LIKE 'citus\_emulation\_%' THEN
            PERFORM citus_emulation.dblink_disconnect(conn);
        END IF;
    END LOOP;
END
$$;

-- Runs statements on a group's primary: here when it is this node, else through its dblink session.
CREATE FUNCTION citus_emulation.run(grp int, stmts text[]) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    s text;
    conn text;
BEGIN
    IF grp = citus_emulation.local_group() THEN
        FOREACH s IN ARRAY coalesce(stmts, '{}'::text[]) LOOP
            EXECUTE s;
        END LOOP;
    ELSE
        conn := citus_emulation.connect(grp);
        FOREACH s IN ARRAY coalesce(stmts, '{}'::text[]) LOOP
            IF s LIKE 'SELECT %' THEN -- dblink_exec refuses statements returning rows; ours return one column
                PERFORM 1 FROM citus_emulation.dblink(conn, s) AS r(x text);
            ELSE
                PERFORM citus_emulation.dblink_exec(conn, s);
            END IF;
        END LOOP;
    END IF;
END
$$;

-- Active primaries' groups, the coordinator (0) first.
CREATE FUNCTION citus_emulation.primary_groups() RETURNS SETOF int LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$ SELECT groupid FROM pg_dist_node WHERE noderole = 'primary' AND isactive ORDER BY groupid $$;

-- The group holding a colocation's placements, or NULL when it has no tables.
CREATE FUNCTION citus_emulation.holder_group(coloc int) RETURNS int LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT min(pl.groupid) FROM pg_dist_partition p
    JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid
    JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1
    WHERE p.colocationid = coloc
$$;

-- Where a schema's first table goes: the session's citus_emulation.next_holder_group (set by the
-- kit's createTenant), else a worker chosen round-robin by colocation id.
CREATE FUNCTION citus_emulation.choose_group(coloc int) RETURNS int LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
AS $$
DECLARE
    wanted text := nullif(current_setting('citus_emulation.next_holder_group', true), '');
    workers int[] := ARRAY(SELECT groupid FROM pg_dist_node WHERE noderole = 'primary' AND isactive
                           AND shouldhaveshards AND groupid <> 0 ORDER BY groupid);
BEGIN
    IF wanted IS NOT NULL THEN
        RETURN wanted::int;
    END IF;
    IF cardinality(workers) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = 'no worker node is available for the distributed schema''s tables';
    END IF;
    RETURN workers[1 + coloc % cardinality(workers)];
END
$$;

-- ------------------------------------------------------------------------------------ definitions

-- A schema's tables (regular or partitioned, not partitions), in creation order.
CREATE FUNCTION citus_emulation.tenant_tables(schema_name name) RETURNS name[] LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(array_agg(c.relname ORDER BY c.oid), '{}') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = schema_name AND c.relkind IN ('r', 'p') AND NOT c.relispartition
$$;

-- A tenant as stored on this node: kind 'schema' (schema and its grants), 'sequence' (every
-- sequence with owner and grants), then per table (only_tables, or all) a 'relation' row naming
-- it, its 'table' statements (citus_emulation.table_ddl: regular, or foreign on fdw_server) and
-- its 'fkey' statements.
CREATE FUNCTION citus_emulation.tenant_definition(schema_name name, fdw_server name, only_tables name[] DEFAULT NULL)
    RETURNS TABLE (kind text, ddl text) LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
AS $$
DECLARE
    t name;
BEGIN
    RETURN QUERY SELECT 'schema', format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', n.nspname, pg_get_userbyid(n.nspowner))
        FROM pg_namespace n WHERE n.nspname = schema_name;
    RETURN QUERY SELECT 'schema', format('GRANT %s ON SCHEMA %I TO %s', a.privilege_type, n.nspname,
            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
        FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = schema_name AND a.grantee <> n.nspowner;
    RETURN QUERY SELECT 'sequence', s.x FROM (
        SELECT c.oid, 0 AS k, format('CREATE SEQUENCE IF NOT EXISTS %I.%I AS %s', n.nspname, c.relname,
               format_type(q.seqtypid, NULL)) AS x
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence q ON q.seqrelid = c.oid
        WHERE n.nspname = schema_name
        UNION ALL
        SELECT c.oid, 1, format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, pg_get_userbyid(c.relowner))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = schema_name AND c.relkind = 'S'
        UNION ALL
        SELECT c.oid, 2, format('GRANT %s ON SEQUENCE %I.%I TO %s', a.privilege_type, n.nspname, c.relname,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
        WHERE n.nspname = schema_name AND c.relkind = 'S' AND a.grantee <> c.relowner
    ) s ORDER BY s.oid, s.k, s.x;
    FOREACH t IN ARRAY citus_emulation.tenant_tables(schema_name) LOOP
        IF only_tables IS NULL OR t = ANY (only_tables) THEN
            RETURN QUERY SELECT 'relation', t::text;
            RETURN QUERY SELECT CASE WHEN d.kind = 'fkey' THEN 'fkey' ELSE 'table' END, d.ddl
                FROM citus_emulation.table_ddl(format('%I.%I', schema_name, t)::regclass, fdw_server) d;
        END IF;
    END LOOP;
END
$$;

-- The statements that build (part of) a tenant elsewhere, in order: schema, sequences, tables,
-- foreign keys (unless with_fkeys is false), then the node's sequence rules.
CREATE FUNCTION citus_emulation.build_statements(schema_name name, fdw_server name, only_tables name[] DEFAULT NULL,
                                                 with_fkeys boolean DEFAULT true)
    RETURNS text[] LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(array_agg(d.ddl ORDER BY d.phase, d.n), '{}')
           || format('SELECT citus_emulation.adjust_sequences(%L)', schema_name)
    FROM (SELECT t.ddl, CASE t.kind WHEN 'schema' THEN 0 WHEN 'sequence' THEN 1 WHEN 'table' THEN 2 ELSE 3 END AS phase,
                 row_number() OVER () AS n
          FROM citus_emulation.tenant_definition(schema_name, fdw_server, only_tables) t
          WHERE t.kind <> 'relation' AND (with_fkeys OR t.kind <> 'fkey')) d
$$;

CREATE FUNCTION citus_emulation.fkey_statements(schema_name name) RETURNS text[] LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(array_agg(t.ddl), '{}') FROM citus_emulation.tenant_definition(schema_name, NULL) t WHERE t.kind = 'fkey'
$$;

-- Drops these tables of a schema on this node, whether regular or foreign, when present.
CREATE FUNCTION citus_emulation.drop_relations(schema_name name, tables name[]) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = schema_name AND c.relname = ANY (tables) AND c.relkind IN ('r', 'p', 'f') LOOP
        EXECUTE format('DROP %s %I.%I CASCADE', CASE WHEN r.relkind = 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                       schema_name, r.relname);
    END LOOP;
END
$$;

-- Serial sequences become standalone so that they outlive their table on a move (identity ones cannot).
CREATE FUNCTION citus_emulation.detach_sequences(schema_name name) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    seq text;
BEGIN
    FOR seq IN SELECT format('%I.%I', n.nspname, s.relname) FROM pg_class s
               JOIN pg_namespace n ON n.oid = s.relnamespace
               JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'a'
                                AND d.refclassid = 'pg_class'::regclass
               WHERE n.nspname = schema_name AND s.relkind = 'S' LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNED BY NONE', seq);
    END LOOP;
END
$$;

-- Copies every table's rows from a staging foreign schema (on a move's target).
CREATE FUNCTION citus_emulation.copy_rows(schema_name name, staging name, tables name[]) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    t name;
    cols text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
        WHERE attrelid = format('%I.%I', schema_name, t)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
        EXECUTE format('INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I', schema_name, t, cols, cols, staging, t);
    END LOOP;
END
$$;

-- ------------------------------------------------------------------------------------ catalog rows

-- The statements that make a colocation's table/shard/placement rows exactly these (tables[i]
-- with shards[i] and placements[i], all in group grp), replacing what was there.
CREATE FUNCTION citus_emulation.placement_statements(schema_name name, coloc int, tables name[], shards bigint[],
                                                     placements bigint[], grp int)
    RETURNS text[] LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    out text[] := ARRAY[
        format('DELETE FROM pg_catalog.pg_dist_placement WHERE shardid IN (SELECT sh.shardid FROM pg_catalog.pg_dist_shard sh'
               ' JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = sh.logicalrelid WHERE p.colocationid = %s)', coloc),
        format('DELETE FROM pg_catalog.pg_dist_shard WHERE logicalrelid IN'
               ' (SELECT logicalrelid FROM pg_catalog.pg_dist_partition WHERE colocationid = %s)', coloc),
        format('DELETE FROM pg_catalog.pg_dist_partition WHERE colocationid = %s', coloc)];
    rel text;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(tables), 0) LOOP
        rel := format('%I.%I', schema_name, tables[i]);
        out := out
            || format('INSERT INTO pg_catalog.pg_dist_partition VALUES (%L::regclass, ''n'', NULL, %s, ''s'', false)', rel, coloc)
            || format('INSERT INTO pg_catalog.pg_dist_shard VALUES (%L::regclass, %s, ''t'', NULL, NULL)', rel, shards[i])
            || format('DELETE FROM pg_catalog.pg_dist_placement WHERE shardid = %s', shards[i])
            || format('INSERT INTO pg_catalog.pg_dist_placement VALUES (%s, %s, 1, 0, %s)', placements[i], shards[i], grp);
    END LOOP;
    RETURN out;
END
$$;

-- A colocation's current tables with their shard and placement ids, from this node's catalog.
CREATE FUNCTION citus_emulation.placed_tables(coloc int, OUT tables name[], OUT shards bigint[], OUT placements bigint[])
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(array_agg(c.relname ORDER BY sh.shardid), '{}'), coalesce(array_agg(sh.shardid ORDER BY sh.shardid), '{}'),
           coalesce(array_agg(pl.placementid ORDER BY sh.shardid), '{}')
    FROM pg_dist_partition p JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid
    JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_dist_placement pl ON pl.shardid = sh.shardid
    WHERE p.colocationid = coloc
$$;

-- Ids for a new list of tables: a table already placed keeps its shard and placement, others get new ones.
CREATE FUNCTION citus_emulation.assign_ids(coloc int, tables name[], OUT shards bigint[], OUT placements bigint[])
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    known record;
    j int;
BEGIN
    SELECT * INTO known FROM citus_emulation.placed_tables(coloc);
    shards := '{}';
    placements := '{}';
    FOR i IN 1 .. coalesce(cardinality(tables), 0) LOOP
        j := array_position(known.tables, tables[i]);
        IF j IS NULL THEN
            shards := shards || nextval('pg_catalog.pg_dist_shardid_seq');
            placements := placements || nextval('pg_catalog.pg_dist_placement_placementid_seq');
        ELSE
            shards := shards || known.shards[j];
            placements := placements || known.placements[j];
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION citus_emulation.colocation_of(schema_name name) RETURNS int LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
AS $$
DECLARE
    coloc int := (SELECT s.colocationid FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid
                  WHERE n.nspname = schema_name);
BEGIN
    IF coloc IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '3F000', MESSAGE = format('schema "%s" is not a distributed schema', schema_name);
    END IF;
    RETURN coloc;
END
$$;

-- ------------------------------------------------------------------------------------ operations

-- Ships the schema's tables that are still regular tables on the coordinator (created since the
-- last shipment) to the holder (the schema's group, or a chosen worker when it has none): the
-- holder gets regular tables, every other primary (this one included) foreign tables, every
-- catalog the placements. Tables must be empty: rows written in the creating transaction are
-- not visible to the holder.
CREATE FUNCTION citus_emulation.ship(schema_name name) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    coloc int := (SELECT s.colocationid FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid
                  WHERE n.nspname = schema_name);
    fresh name[];
    t name;
    has_rows boolean;
    holder int;
    regular text[];
    forwarding text[];
    everything name[];
    ids record;
    catalog text[];
    g int;
BEGIN
    IF coloc IS NULL THEN
        RETURN; -- dropped or undistributed in the meantime
    END IF;
    fresh := citus_emulation.tenant_tables(schema_name);
    IF cardinality(fresh) = 0 THEN
        RETURN;
    END IF;
    FOREACH t IN ARRAY fresh LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', schema_name, t) INTO has_rows;
        IF has_rows THEN
            RAISE EXCEPTION USING ERRCODE = '0A000',
                MESSAGE = format('the Citus emulation cannot distribute table %I.%I: it has rows on the coordinator', schema_name, t),
                HINT = 'Create the tables of a distributed schema empty (commit), then write to them.';
        END IF;
    END LOOP;
    holder := coalesce(citus_emulation.holder_group(coloc), citus_emulation.choose_group(coloc));
    PERFORM citus_emulation.detach_sequences(schema_name);
    regular := citus_emulation.build_statements(schema_name, NULL, fresh);
    forwarding := citus_emulation.build_statements(schema_name, 'citus_group_' || holder, fresh);
    everything := (citus_emulation.placed_tables(coloc)).tables || fresh;
    SELECT * INTO ids FROM citus_emulation.assign_ids(coloc, everything);
    catalog := citus_emulation.placement_statements(schema_name, coloc, everything, ids.shards, ids.placements, holder);
    PERFORM citus_emulation.run(holder, regular || catalog);
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g <> holder THEN
            PERFORM citus_emulation.run(g, format('SELECT citus_emulation.drop_relations(%L, %L)', schema_name, fresh)
                                           || forwarding || catalog);
        END IF;
    END LOOP;
END
$$;

-- Tables created in a distributed schema on the coordinator are shipped when their transaction
-- commits (a deferred constraint trigger), so that a DDL script in one transaction may add
-- indexes, constraints and foreign keys between its new tables first.
CREATE UNLOGGED TABLE citus_emulation.pending_ship (schema_name name NOT NULL, xid xid8 NOT NULL DEFAULT pg_current_xact_id());

CREATE FUNCTION citus_emulation.queue_ship(schema_name name) RETURNS void LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog
AS $$
    INSERT INTO citus_emulation.pending_ship (schema_name)
    SELECT schema_name WHERE NOT EXISTS (SELECT 1 FROM citus_emulation.pending_ship p
                                         WHERE p.schema_name = queue_ship.schema_name AND p.xid = pg_current_xact_id())
$$;

CREATE FUNCTION citus_emulation.ship_pending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog SET citus_emulation.bypass = 'on' SET allow_system_table_mods = 'on'
    SET client_min_messages = 'warning'
AS $$
BEGIN
    DELETE FROM citus_emulation.pending_ship WHERE schema_name = NEW.schema_name AND xid = NEW.xid;
    PERFORM citus_emulation.ship(NEW.schema_name);
    PERFORM citus_emulation.disconnect_all();
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    PERFORM citus_emulation.disconnect_all();
    RAISE;
END
$$;

CREATE CONSTRAINT TRIGGER ship_at_commit AFTER INSERT ON citus_emulation.pending_ship
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citus_emulation.ship_pending();

-- Citus 12.0's citus_schema_distribute: registers the schema (a new colocation group) on every
-- primary, creating it there, and ships the tables it already has (they must be empty).
CREATE FUNCTION pg_catalog.citus_schema_distribute(schemaname regnamespace) RETURNS void
    LANGUAGE plpgsql STRICT SECURITY DEFINER
    SET search_path = pg_catalog SET citus_emulation.bypass = 'on' SET allow_system_table_mods = 'on'
    SET client_min_messages = 'warning'
AS $$
DECLARE
    nsp name := (SELECT nspname FROM pg_namespace WHERE oid = schemaname);
    coloc int;
    stmts text[];
    g int;
BEGIN
    PERFORM citus_emulation.ensure_coordinator();
    PERFORM citus_emulation.ensure_schema_owner(schemaname);
    IF EXISTS (SELECT 1 FROM pg_dist_schema WHERE schemaid = schemaname) THEN
        RAISE NOTICE 'schema % is already distributed', nsp;
        RETURN;
    END IF;
    IF nsp IN ('public', 'citus', 'citus_emulation', 'information_schema') OR nsp LIKE 'pg\_%' THEN
        RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('distributing schema %I is not allowed', nsp);
    END IF;
    coloc := nextval('pg_catalog.pg_dist_colocationid_seq');
    stmts := ARRAY(SELECT t.ddl FROM citus_emulation.tenant_definition(nsp, NULL, '{}') t WHERE t.kind = 'schema')
        || format('INSERT INTO pg_catalog.pg_dist_colocation VALUES (%s, 1, 1, 0, 0)', coloc)
        || format('INSERT INTO pg_catalog.pg_dist_schema VALUES ((SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %L), %s)',
                  nsp, coloc);
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        PERFORM citus_emulation.run(g, stmts);
    END LOOP;
    PERFORM citus_emulation.ship(nsp);
    PERFORM citus_emulation.disconnect_all();
EXCEPTION WHEN OTHERS THEN
    PERFORM citus_emulation.disconnect_all();
    RAISE;
END
$$;

-- Citus 12.1's citus_schema_move, without losing concurrent writes. Each node in its own
-- transaction: (1) every primary but the holder S drops its foreign tables of the tenant (waits for
-- statements in flight, which still reach the unlocked S; new writers queue on the dropped table's
-- lock); (2) S locks the tables IN EXCLUSIVE MODE (reads go on); (3) the target T builds regular
-- tables and copies the rows through a staging foreign schema; (4) every other primary creates
-- foreign tables to T, every catalog gets the new placements (new placementid and groupid, same
-- shardid); (5) T commits, then S drops its tables, forwards to T and commits, then the rest commit
-- (this node last, with the caller's transaction). A queued writer re-resolves the table name when
-- it gets the lock, so it lands on the new table. Not 2PC: a failure after T committed leaves the
-- tenant on both nodes (reported).
CREATE FUNCTION pg_catalog.citus_schema_move(schema_id regnamespace, target_node_name text, target_node_port integer,
                                             shard_transfer_mode citus.shard_transfer_mode DEFAULT 'auto')
    RETURNS void LANGUAGE plpgsql STRICT SECURITY DEFINER
    SET search_path = pg_catalog SET citus_emulation.bypass = 'on' SET allow_system_table_mods = 'on'
    SET client_min_messages = 'warning'
AS $$
DECLARE
    nsp name := (SELECT nspname FROM pg_namespace WHERE oid = schema_id);
    coloc int;
    src int;
    tgt int;
    src_conn text;
    tables name[];
    regular text[];
    forwarding text[];
    fkeys text[];
    placed record;
    new_placements bigint[] := '{}';
    catalog text[];
    staging name;
    g int;
    target_committed boolean := false;
BEGIN
    PERFORM citus_emulation.ensure_coordinator();
    PERFORM citus_emulation.ensure_schema_owner(schema_id);
    coloc := citus_emulation.colocation_of(nsp);
    tgt := (SELECT groupid FROM pg_dist_node WHERE nodename = target_node_name AND nodeport = target_node_port
            AND noderole = 'primary');
    IF tgt IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = format('node at "%s:%s" does not exist', target_node_name, target_node_port);
    END IF;
    src := citus_emulation.holder_group(coloc);
    IF src IS NULL OR src = tgt THEN
        RETURN; -- nothing stored, or already there
    END IF;
    src_conn := citus_emulation.connect(src);
    SELECT d.tables, d.regular, d.forwarding, d.fkeys INTO tables, regular, forwarding, fkeys
    FROM citus_emulation.dblink(src_conn, format('SELECT citus_emulation.tenant_tables(%L),'
            ' citus_emulation.build_statements(%L, NULL, NULL, false), citus_emulation.build_statements(%L, %L),'
            ' citus_emulation.fkey_statements(%L)', nsp, nsp, nsp, 'citus_group_' || tgt, nsp))
        AS d(tables name[], regular text[], forwarding text[], fkeys text[]);
    IF cardinality(tables) = 0 THEN
        PERFORM citus_emulation.disconnect_all();
        RETURN;
    END IF;
    SELECT * INTO placed FROM citus_emulation.placed_tables(coloc);
    FOR i IN 1 .. cardinality(placed.tables) LOOP
        new_placements := new_placements || nextval('pg_catalog.pg_dist_placement_placementid_seq');
    END LOOP;
    catalog := citus_emulation.placement_statements(nsp, coloc, placed.tables, placed.shards, new_placements, tgt);

    -- 1. close every other entry point; waits for statements in flight through it
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g <> src THEN
            IF g <> citus_emulation.local_group() THEN
                PERFORM citus_emulation.dblink_exec(citus_emulation.connect(g), 'BEGIN');
            END IF;
            PERFORM citus_emulation.run(g, ARRAY[format('SELECT citus_emulation.drop_relations(%L, %L)', nsp, tables)]);
        END IF;
    END LOOP;
    -- 2. freeze the holder against writes (reads go on)
    PERFORM citus_emulation.dblink_exec(src_conn, 'BEGIN');
    PERFORM citus_emulation.dblink_exec(src_conn, format('LOCK TABLE %s IN EXCLUSIVE MODE',
        (SELECT string_agg(format('%I.%I', nsp, t), ', ') FROM unnest(tables) t)));
    -- 3. the target gets regular tables with the rows
    staging := 'citus_emulation_move_' || coloc;
    PERFORM citus_emulation.run(tgt, ARRAY[
            format('DROP SCHEMA IF EXISTS %I CASCADE', staging),
            format('CREATE SCHEMA %I', staging),
            format('IMPORT FOREIGN SCHEMA %I LIMIT TO (%s) FROM SERVER %I INTO %I', nsp,
                   (SELECT string_agg(quote_ident(t), ', ') FROM unnest(tables) t), 'citus_group_' || src, staging)]
        || regular
        || format('SELECT citus_emulation.copy_rows(%L, %L, %L)', nsp, staging, tables)
        || fkeys
        || format('DROP SCHEMA %I CASCADE', staging)
        || catalog);
    -- 4. the other entry points forward to the target
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g <> src AND g <> tgt THEN
            PERFORM citus_emulation.run(g, forwarding || catalog);
        END IF;
    END LOOP;
    -- 5. commit order: target, holder, the rest (this node with the caller)
    PERFORM citus_emulation.dblink_exec(citus_emulation.connect(tgt), 'COMMIT');
    target_committed := true;
    PERFORM citus_emulation.run(src, format('DROP TABLE %s CASCADE',
            (SELECT string_agg(format('%I.%I', nsp, t), ', ') FROM unnest(tables) t)) || forwarding || catalog);
    PERFORM citus_emulation.dblink_exec(src_conn, 'COMMIT');
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g NOT IN (src, tgt, citus_emulation.local_group()) THEN
            PERFORM citus_emulation.dblink_exec(citus_emulation.connect(g), 'COMMIT');
        END IF;
    END LOOP;
    PERFORM citus_emulation.disconnect_all();
EXCEPTION WHEN OTHERS THEN
    PERFORM citus_emulation.disconnect_all(); -- rolls back every open remote transaction
    IF target_committed THEN
        RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = format('move of %s failed after the copy on group %s committed;'
            ' the tenant is now stored on both nodes: %s', nsp, tgt, SQLERRM);
    END IF;
    RAISE;
END
$$;

-- DDL for an existing tenant, run on its holder (search_path set to the schema), after which
-- every other primary's forwarding and every catalog is rebuilt; new tables get their shard.
-- Superuser only (it runs arbitrary DDL as the superuser). Not safe against concurrent writers.
CREATE FUNCTION citus_emulation.tenant_ddl(schema_name name, ddl text[]) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog SET citus_emulation.bypass = 'on' SET allow_system_table_mods = 'on'
    SET client_min_messages = 'warning'
AS $$
DECLARE
    coloc int;
    holder int;
    conn text;
    before name[];
    after name[];
    forwarding text[];
    ids record;
    catalog text[];
    g int;
BEGIN
    PERFORM citus_emulation.ensure_coordinator();
    coloc := citus_emulation.colocation_of(schema_name);
    holder := citus_emulation.holder_group(coloc);
    IF holder IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('tenant %s has no tables, so no holder', schema_name),
            HINT = 'Create its tables on the coordinator (CREATE TABLE in the schema).';
    END IF;
    conn := citus_emulation.connect(holder);
    before := (SELECT d.t FROM citus_emulation.dblink(conn, format('SELECT citus_emulation.tenant_tables(%L)', schema_name))
               AS d(t name[]));
    PERFORM citus_emulation.dblink_exec(conn, 'BEGIN');
    PERFORM citus_emulation.run(holder, format('SET LOCAL search_path TO %I, public', schema_name) || ddl
        || 'SET LOCAL search_path TO DEFAULT'::text
        || format('SELECT citus_emulation.detach_sequences(%L)', schema_name)
        || format('SELECT citus_emulation.adjust_sequences(%L)', schema_name));
    SELECT d.t, d.f INTO after, forwarding FROM citus_emulation.dblink(conn, format('SELECT citus_emulation.tenant_tables(%L),'
        ' citus_emulation.build_statements(%L, %L)', schema_name, schema_name, 'citus_group_' || holder)) AS d(t name[], f text[]);
    SELECT * INTO ids FROM citus_emulation.assign_ids(coloc, after);
    catalog := citus_emulation.placement_statements(schema_name, coloc, after, ids.shards, ids.placements, holder);
    PERFORM citus_emulation.run(holder, catalog || 'COMMIT'::text);
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g <> holder THEN
            PERFORM citus_emulation.run(g, format('SELECT citus_emulation.drop_relations(%L, %L)', schema_name, before)
                                           || forwarding || catalog);
        END IF;
    END LOOP;
    PERFORM citus_emulation.disconnect_all();
EXCEPTION WHEN OTHERS THEN
    PERFORM citus_emulation.disconnect_all();
    RAISE;
END
$$;

-- DROP SCHEMA of a distributed schema on the coordinator: dropped on every other primary, and
-- its catalog rows removed everywhere (called by the sql_drop trigger while the rows still exist).
CREATE FUNCTION citus_emulation.drop_everywhere(schema_oid oid, schema_name name) RETURNS void LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog SET citus_emulation.bypass = 'on' SET allow_system_table_mods = 'on'
    SET client_min_messages = 'warning'
AS $$
DECLARE
    coloc int := (SELECT colocationid FROM pg_dist_schema WHERE schemaid = schema_oid);
    forget text[];
    g int;
BEGIN
    IF coloc IS NULL THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE oid = schema_oid) THEN
        RAISE EXCEPTION USING ERRCODE = '55000', MESSAGE = format('schema %s is not being dropped', schema_name);
    END IF;
    forget := citus_emulation.placement_statements(schema_name, coloc, '{}', '{}', '{}', 0)
        || format('DELETE FROM pg_catalog.pg_dist_schema WHERE colocationid = %s', coloc)
        || format('DELETE FROM pg_catalog.pg_dist_colocation WHERE colocationid = %s', coloc);
    FOR g IN SELECT citus_emulation.primary_groups() LOOP
        IF g = citus_emulation.local_group() THEN
            PERFORM citus_emulation.run(g, forget);
        ELSE
            PERFORM citus_emulation.run(g, format('DROP SCHEMA IF EXISTS %I CASCADE', schema_name) || forget);
        END IF;
    END LOOP;
    PERFORM citus_emulation.disconnect_all();
EXCEPTION WHEN OTHERS THEN
    PERFORM citus_emulation.disconnect_all();
    RAISE;
END
$$;

-- ------------------------------------------------------------------------------------ DDL triggers

-- ddl_command_end: on a worker, DDL on a distributed schema is rejected with Citus's messages. On
-- the coordinator, DDL on the schema's not-yet-shipped regular tables (and their indexes,
-- sequences) is allowed and queues the schema for shipping at commit; DDL on shipped (foreign)
-- tables is rejected, since the emulation cannot propagate it (use citus_emulation.tenant_ddl).
CREATE OR REPLACE FUNCTION citus_emulation.ddl_guard() RETURNS event_trigger LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    r record;
    kind "char";
BEGIN
    IF citus_emulation.bypassing() THEN
        RETURN;
    END IF;
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        IF r.schema_name IN (SELECT citus_emulation.distributed_schemas())
           OR (r.object_type = 'schema' AND r.object_identity IN (SELECT quote_ident(citus_emulation.distributed_schemas()))) THEN
            IF citus_emulation.local_group() <> 0 THEN
                PERFORM citus_emulation.reject_ddl(r.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO'));
            END IF;
            kind := CASE WHEN r.classid = 'pg_class'::regclass THEN (SELECT c.relkind FROM pg_class c WHERE c.oid = r.objid) END;
            IF kind IS NULL OR kind NOT IN ('r', 'p', 'i', 'I', 'S') OR r.command_tag IN ('CREATE TABLE AS', 'SELECT INTO') THEN
                PERFORM citus_emulation.reject_ddl(false);
            END IF;
            PERFORM citus_emulation.queue_ship(r.schema_name);
        END IF;
    END LOOP;
END
$$;

-- sql_drop: on the coordinator, DROP SCHEMA of a distributed schema is propagated (and so are the
-- drops of its objects it cascades to); dropping a shipped (foreign) table alone is rejected.
-- On a worker every drop in a distributed schema is rejected.
CREATE OR REPLACE FUNCTION citus_emulation.drop_guard() RETURNS event_trigger LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    r record;
    dropped_schemas name[];
BEGIN
    IF citus_emulation.bypassing() THEN
        RETURN;
    END IF;
    -- A dropped schema's pg_namespace row is already gone here: match it by oid.
    dropped_schemas := ARRAY(SELECT d.object_name FROM pg_event_trigger_dropped_objects() d
                             WHERE d.object_type = 'schema' AND d.objid IN (SELECT schemaid FROM pg_dist_schema));
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        IF r.schema_name IN (SELECT citus_emulation.distributed_schemas())
           OR (r.object_type = 'schema' AND r.objid IN (SELECT schemaid FROM pg_dist_schema)) THEN
            IF citus_emulation.local_group() <> 0 THEN
                PERFORM citus_emulation.reject_ddl(false);
            ELSIF r.object_type = 'schema' THEN
                PERFORM citus_emulation.drop_everywhere(r.objid, r.object_name);
            ELSIF r.object_type = 'foreign table' AND NOT (r.schema_name = ANY (dropped_schemas)) THEN
                PERFORM citus_emulation.reject_ddl(false);
            END IF;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION citus_emulation.reject_ddl(is_create_table boolean) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
BEGIN
    IF citus_emulation.local_group() <> 0 THEN
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
        MESSAGE = 'the Citus emulation of the citus-jdbc test kit does not propagate this DDL on a distributed schema',
        HINT = 'New tables: CREATE TABLE on the coordinator (shipped at commit). Changes to existing tables: '
               'citus_emulation.tenant_ddl(schema, ddl[]) as a superuser (CitusOps.tenantDdl).';
END
$$;

-- Whether the kit (or one of the functions above) bypasses the emulated Citus DDL rules: the
-- setting is on and the current role is a superuser (inside the SECURITY DEFINER functions it is).
CREATE OR REPLACE FUNCTION citus_emulation.bypassing() RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT coalesce(current_setting('citus_emulation.bypass', true), '') = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
$$;

-- Only the superuser runs the helpers (and dblink); the event triggers run as the user issuing the
-- DDL, so what they call stays executable by everyone (queue_ship and drop_everywhere are
-- SECURITY DEFINER and act only on what that user's own DDL did).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA citus_emulation FROM PUBLIC;
GRANT EXECUTE ON FUNCTION citus_emulation.bypassing(), citus_emulation.distributed_schemas(),
    citus_emulation.reject_ddl(boolean), citus_emulation.local_group(), citus_emulation.queue_ship(name),
    citus_emulation.drop_everywhere(oid, name), citus_emulation.ddl_guard(), citus_emulation.drop_guard() TO PUBLIC;

RESET search_path;
