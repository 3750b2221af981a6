package io.github.citusjdbc.sockets;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ScheduledFuture;

/**
 * A socket of a login that keeps pgjdbc's own login timeouts without a socket timeout
 * ({@link BoundedLogin#keepingTimeouts}). pgjdbc bounds two phases of a login by setting a socket
 * timeout before the phase and taking it back after it: the answer to its TLS request
 * ({@code sslResponseTimeout}) and the TLS handshake ({@code connectTimeout}). While the login is in
 * progress a timeout set here is not given to the socket: a timer closes the socket when the phase
 * has not ended (the next {@code setSoTimeout}) in time, which fails pgjdbc's read as the timeout
 * would, and pgjdbc goes on to the URL's next host. Once the login is over, {@code setSoTimeout} is
 * the socket's own again.
 */
final class LoginSocket extends Socket {

    private final BoundedLogin login;
    private ScheduledFuture<?> phaseBound; // guarded by this

    LoginSocket(BoundedLogin login) {
        this.login = login;
    }

    @Override
    public synchronized void setSoTimeout(int timeout) throws SocketException {
        if (!login.inProgress()) {
            super.setSoTimeout(timeout);
            return;
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0"); // as Socket's own
        }
        endPhase();
        if (timeout > 0) {
            phaseBound = SocketTimer.after(timeout, this::phaseTimedOut);
        }
    }

    /** The login is over (or a phase ended): no timer may close this socket any more. */
    synchronized void endPhase() {
        if (phaseBound != null) {
            phaseBound.cancel(false);
            phaseBound = null;
        }
    }

    private void phaseTimedOut() {
        if (!login.inProgress()) {
            return; // the login succeeded meanwhile: the socket is the connection's now
        }
        try {
            close(); // pgjdbc's read in the phase fails, as under its socket timeout
        } catch (IOException ignored) {
            // closing is all there is to do
        }
    }
}
