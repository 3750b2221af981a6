/**
 * Internal: the JDBC wrappers. A {@code Logical*} class is hand-written and overrides what the
 * driver intercepts; its generated {@code Delegating*} superclass forwards everything else to the
 * physical pgjdbc object. Not API; may change without notice.
 */
package io.github.citusjdbc.jdbc;
