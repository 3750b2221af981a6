package io.github.citusjdbc.sockets;

import java.io.IOException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One login of a routed physical connection, bounded without a socket timeout. pgjdbc's
 * {@code loginTimeout} makes the caller give up after the bound (pgjdbc logs in on a thread of its
 * own); the sockets of that login are then closed here, so that pgjdbc's thread does not wait for
 * a silent node forever. With none of pgjdbc's socket timeouts in the login (not the TLS
 * handshake's {@code connectTimeout}, nor {@code sslResponseTimeout} unless the application set it)
 * the socket stays in blocking mode (see the package description), with TLS too.
 *
 * <p>Where pgjdbc cannot instantiate {@link LoginSocketFactory} (it loads it by name from its own
 * class loader, or the module is not readable to it) or the application set its own
 * {@code socketFactory}, the login is bounded the way pgjdbc offers instead: {@code socketTimeout}
 * during the login, the application's value set again after it.
 *
 * <pre>
 * BoundedLogin login = BoundedLogin.prepare(props, seconds);
 * Connection c;
 * try {
 *     c = pgjdbc.connect(url, props);
 *     login.succeeded(c);
 * } finally {
 *     login.end();
 * }
 * </pre>
 */
public final class BoundedLogin {

    static final String ARG = "socketFactoryArg";
    private static final String FACTORY = "socketFactory";
    private static final String SOCKET_TIMEOUT = "socketTimeout";
    private static final String CONNECT_TIMEOUT = "connectTimeout";
    private static final String LOGIN_TIMEOUT = "loginTimeout";
    private static final String SSL_RESPONSE_TIMEOUT = "sslResponseTimeout";
    private static final boolean FACTORY_USABLE = factoryUsable();
    private static final Map<String, BoundedLogin> ACTIVE = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();

    private final String id; // null: bounded by socketTimeout instead
    private final String applicationSocketTimeout; // the fallback restores it after the login
    private final List<Socket> sockets = new ArrayList<>(2); // guarded by this
    private boolean ended; // guarded by this
    private boolean succeeded; // guarded by this

    private BoundedLogin(String id, String applicationSocketTimeout) {
        this.id = id;
        this.applicationSocketTimeout = applicationSocketTimeout;
    }

    /**
     * Bounds the login that {@code props} will open to {@code seconds} at most (and to the
     * application's {@code connectTimeout} and {@code loginTimeout} where smaller).
     *
     * @param props   pgjdbc's properties for the connection, changed here
     * @param seconds the bound
     */
    public static BoundedLogin prepare(Properties props, int seconds) {
        if (!FACTORY_USABLE || props.getProperty(FACTORY) != null) {
            atMost(props, CONNECT_TIMEOUT, seconds);
            atMost(props, LOGIN_TIMEOUT, seconds);
            String given = props.getProperty(SOCKET_TIMEOUT);
            atMost(props, SOCKET_TIMEOUT, seconds); // reads under a timeout: the socket turns non-blocking
            return new BoundedLogin(null, given);
        }
        // One bound for the whole login, kept by pgjdbc's loginTimeout and by closing the sockets of a
        // login given up on; none of pgjdbc's socket timeouts, each of which would leave the socket
        // non-blocking: connectTimeout is also the TLS handshake's read timeout, sslResponseTimeout
        // that of the answer to the TLS request (5 s by default).
        atMost(props, LOGIN_TIMEOUT, Math.min(seconds, positive(props.getProperty(CONNECT_TIMEOUT), seconds)));
        props.setProperty(CONNECT_TIMEOUT, "0");
        if (props.getProperty(SSL_RESPONSE_TIMEOUT) == null) {
            props.setProperty(SSL_RESPONSE_TIMEOUT, "0");
        }
        BoundedLogin login = new BoundedLogin(Long.toString(IDS.incrementAndGet()), null);
        ACTIVE.put(login.id, login);
        props.setProperty(FACTORY, LoginSocketFactory.class.getName());
        props.setProperty(ARG, login.id);
        return login;
    }

    /** The login succeeded: its sockets belong to {@code c} now; the fallback sets the application's socket timeout. */
    public void succeeded(Connection c) throws SQLException {
        synchronized (this) {
            succeeded = true;
            sockets.clear();
        }
        if (id == null) {
            c.setNetworkTimeout(Runnable::run, socketTimeoutMillis(applicationSocketTimeout));
        }
    }

    /** The login is over: a login that did not succeed has its sockets closed (pgjdbc may still wait on one). */
    public void end() {
        List<Socket> left;
        synchronized (this) {
            ended = true;
            left = succeeded ? List.of() : List.copyOf(sockets);
            sockets.clear();
        }
        if (id != null) {
            ACTIVE.remove(id);
        }
        for (Socket s : left) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }

    /** @return whether this login is still waited for (else the socket must not be used) */
    synchronized boolean adopt(Socket s) {
        if (succeeded) {
            return true; // a cancel request of the connection: nothing to bound
        }
        if (ended) {
            return false;
        }
        sockets.add(s);
        return true;
    }

    static BoundedLogin find(String id) {
        return id == null ? null : ACTIVE.get(id);
    }

    /**
     * @param socketTimeout pgjdbc's {@code socketTimeout} property (seconds), or null
     * @return it in milliseconds, 0 (none) when absent or not a number (pgjdbc refuses the latter at connect)
     */
    public static int socketTimeoutMillis(String socketTimeout) {
        if (socketTimeout == null) {
            return 0;
        }
        try {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, Integer.parseInt(socketTimeout.trim())) * 1000L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void atMost(Properties props, String key, int seconds) {
        if (positive(props.getProperty(key), Integer.MAX_VALUE) > seconds) {
            props.setProperty(key, Integer.toString(seconds));
        }
    }

    /** @return {@code value} as a positive number of seconds, or {@code otherwise} (absent, 0 = none, not a number) */
    private static int positive(String value, int otherwise) {
        try {
            int v = value == null ? 0 : Integer.parseInt(value.trim());
            return v > 0 ? v : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Whether pgjdbc can load and instantiate the factory: same class seen from its class loader, package readable. */
    private static boolean factoryUsable() {
        try {
            Class<?> pgjdbc = org.postgresql.Driver.class;
            Class<?> seen = Class.forName(LoginSocketFactory.class.getName(), false, pgjdbc.getClassLoader());
            return seen == LoginSocketFactory.class && LoginSocketFactory.class.getModule()
                    .isExported(LoginSocketFactory.class.getPackageName(), pgjdbc.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
