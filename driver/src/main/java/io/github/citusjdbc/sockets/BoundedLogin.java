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
 * <p>The URL's own connection ({@link #keepingTimeouts}) keeps pgjdbc's bounds instead, each phase
 * as pgjdbc bounds it, by timers of its {@link LoginSocket}s rather than socket timeouts.
 *
 * <pre>
 * BoundedLogin login = BoundedLogin.prepare(props, seconds); // or keepingTimeouts(props)
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

    /** The login as pgjdbc does it: nothing changed, nothing to do after it. */
    private static final BoundedLogin AS_IS = new BoundedLogin(null, null, false);

    private final String id; // null: bounded by socketTimeout instead, or AS_IS
    private final String applicationSocketTimeout; // the fallback restores it after the login
    private final boolean keepsTimeouts; // pgjdbc's own timeouts, kept by LoginSocket's timers
    private final List<Socket> sockets = new ArrayList<>(2); // guarded by this
    private boolean ended; // guarded by this
    private boolean succeeded; // guarded by this

    private BoundedLogin(String id, String applicationSocketTimeout, boolean keepsTimeouts) {
        this.id = id;
        this.applicationSocketTimeout = applicationSocketTimeout;
        this.keepsTimeouts = keepsTimeouts;
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
            return new BoundedLogin(null, given, false);
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
        return register(props, new BoundedLogin(Long.toString(IDS.incrementAndGet()), null, false));
    }

    /**
     * The login of the URL's connection: pgjdbc's own timeouts as the application set them (or
     * pgjdbc's defaults), each phase bounded as pgjdbc bounds it, so that a multi-host URL still
     * moves on from a silent host, but by closing the socket ({@link LoginSocket}) instead of a
     * socket timeout. So the connection stays blocking with TLS too. As pgjdbc does it (nothing
     * changed) when the application set {@code socketTimeout} (its reads time out anyway) or its own
     * {@code socketFactory}, or pgjdbc cannot instantiate {@link LoginSocketFactory}.
     *
     * @param props pgjdbc's properties for the connection, changed here
     */
    public static BoundedLogin keepingTimeouts(Properties props) {
        if (!FACTORY_USABLE || props.getProperty(FACTORY) != null
                || socketTimeoutMillis(props.getProperty(SOCKET_TIMEOUT)) > 0) {
            return AS_IS;
        }
        return register(props, new BoundedLogin(Long.toString(IDS.incrementAndGet()), null, true));
    }

    private static BoundedLogin register(Properties props, BoundedLogin login) {
        ACTIVE.put(login.id, login);
        props.setProperty(FACTORY, LoginSocketFactory.class.getName());
        props.setProperty(ARG, login.id);
        return login;
    }

    /** The login succeeded: its sockets belong to {@code c} now; the fallback sets the application's socket timeout. */
    public void succeeded(Connection c) throws SQLException {
        if (this == AS_IS) {
            return;
        }
        List<Socket> own;
        synchronized (this) {
            succeeded = true;
            own = List.copyOf(sockets);
            sockets.clear();
        }
        for (Socket s : own) {
            if (s instanceof LoginSocket l) {
                l.endPhase(); // not under this lock: a LoginSocket asks it while holding its own
            }
        }
        if (id == null) {
            c.setNetworkTimeout(Runnable::run, socketTimeoutMillis(applicationSocketTimeout));
        }
    }

    /** The login is over: a login that did not succeed has its sockets closed (pgjdbc may still wait on one). */
    public void end() {
        if (this == AS_IS) {
            return;
        }
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
            if (s instanceof LoginSocket l) {
                l.endPhase();
            }
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }

    /** @return a new socket for this login: one that keeps pgjdbc's timeouts by timers while the login is in progress */
    synchronized Socket newSocket() {
        return keepsTimeouts && !succeeded && !ended ? new LoginSocket(this) : new Socket();
    }

    /** @return whether the login has neither succeeded nor ended */
    synchronized boolean inProgress() {
        return !succeeded && !ended;
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
