package io.github.citusjdbc.testkit;

/** The role a server of the local cluster plays. */
public enum NodeRole {
    /** The Citus coordinator primary (group 0). */
    COORDINATOR,
    /** A worker primary (groups 1, 2, ...). */
    WORKER,
    /** A streaming-replication hot standby of a coordinator or worker; a Citus secondary. */
    STANDBY
}
