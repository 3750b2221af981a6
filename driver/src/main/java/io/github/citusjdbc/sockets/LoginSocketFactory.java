package io.github.citusjdbc.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * The socket factory pgjdbc instantiates by name ({@code socketFactory}) for one login, found again
 * through {@code socketFactoryArg}: sockets handed to its {@link BoundedLogin} so that a login given
 * up on can be closed from outside (for the URL's connection, {@link LoginSocket}s, which keep
 * pgjdbc's login timeouts by timers). pgjdbc keeps the
 * instance for the connection's cancel requests; their sockets are plain sockets too.
 */
public final class LoginSocketFactory extends SocketFactory {

    private final BoundedLogin login; // null: not a login of ours (plain sockets)

    /** @param info pgjdbc's properties of the connection, {@code socketFactoryArg} naming the login */
    public LoginSocketFactory(Properties info) {
        this.login = BoundedLogin.find(info.getProperty(BoundedLogin.ARG));
    }

    @Override
    public Socket createSocket() throws IOException {
        Socket s = login == null ? new Socket() : login.newSocket();
        if (login != null && !login.adopt(s)) {
            s.close();
            throw new SocketException("citus-jdbc: the login was given up (nodeConnectTimeout)");
        }
        return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        throw unused();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw unused();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        throw unused();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        throw unused();
    }

    /** pgjdbc creates unconnected sockets only ({@code createSocket()}, then {@code connect}). */
    private static IOException unused() {
        return new SocketException("citus-jdbc: unexpected socket creation by pgjdbc");
    }
}
