/**
 * A lexer and classifier for PostgreSQL SQL text as applications hand it to JDBC.
 *
 * <p>{@link io.github.citusjdbc.sql.SqlClassifier#classify(String)} splits a text into statements
 * (as pgjdbc splits it) and returns an immutable {@link io.github.citusjdbc.sql.SqlInfo}: the kind
 * of every statement, whether the text may be wrapped in a driver-made transaction, whether it
 * calls Citus management functions (routing) or changes {@code search_path} (tenant pinning).
 * One pass, no regular expressions, never throws; callers cache results per SQL string.
 */
package io.github.citusjdbc.sql;
