/**
 * Read-your-writes on standbys ({@code readYourWrites=tenant}): which groups were written when
 * ({@link io.github.citusjdbc.consistency.WriteMarks}), the WAL positions of their primaries and
 * standbys ({@link io.github.citusjdbc.consistency.WalProbe}), and the check a read-only unit of work
 * passes before it may run on a standby ({@link io.github.citusjdbc.consistency.StandbyCatchUp}).
 * docs/routing.md explains the guarantee for users.
 */
package io.github.citusjdbc.consistency;
