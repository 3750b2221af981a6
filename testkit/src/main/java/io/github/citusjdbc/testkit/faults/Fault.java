package io.github.citusjdbc.testkit.faults;

/**
 * Damage done to the cluster while the workload runs: {@link #inject()} does it, {@link #heal()}
 * undoes what can be undone (a restart, a resume); a fault that cannot be undone (a failover) heals
 * by doing nothing.
 */
public interface Fault {
    String name();

    void inject() throws Exception;

    void heal() throws Exception;

    /** @return true when the fault changes the cluster for good (run it last) */
    default boolean permanent() {
        return false;
    }
}
