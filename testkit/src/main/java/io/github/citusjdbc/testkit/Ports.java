package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Hands out free loopback TCP ports, never the same one twice in this JVM. */
final class Ports {
    private static final Set<Integer> GIVEN = new HashSet<>();

    private Ports() {
    }

    static synchronized int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            // Port 0 lets the kernel choose one that is free right now; we then remember it.
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no free loopback port after 100 attempts");
    }
}
