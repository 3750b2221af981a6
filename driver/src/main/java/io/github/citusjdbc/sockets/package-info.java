/**
 * How citus-jdbc bounds the logins of its physical connections (routed connections, and the URL's
 * own), their validation, and the application's {@code isValid}, without a socket timeout. A read under a socket timeout switches the JDK's
 * socket to non-blocking mode for the rest of its life, and from then on every read that finds no
 * data costs a failed read, a {@code poll} and a second read: about 5 µs of client CPU per point
 * read, measured on real Citus (docs/facts.md, "A socket timeout costs every read after it").
 * {@link io.github.citusjdbc.sockets.BoundedLogin} bounds a routed login with pgjdbc's
 * {@code loginTimeout} and closes the socket of a login it gave up on, and keeps the URL
 * connection's own login bounds as timers ({@link io.github.citusjdbc.sockets.LoginSocket});
 * {@link io.github.citusjdbc.sockets.BoundedValidation} bounds a validation query by aborting the
 * connection. Exported to pgjdbc only, which instantiates {@link io.github.citusjdbc.sockets.LoginSocketFactory}
 * by name.
 */
package io.github.citusjdbc.sockets;
