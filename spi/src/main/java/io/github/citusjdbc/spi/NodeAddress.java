package io.github.citusjdbc.spi;

import java.util.Objects;

/**
 * The network address of a PostgreSQL server: a host name or IP literal and a TCP port.
 *
 * <p>The textual form is {@code host:port}, with IPv6 literals in brackets
 * ({@code [::1]:5432}); {@link #parse(String, int)} reads it and {@link #toString()} writes it,
 * so {@code NodeAddress.parse(a.toString(), p).equals(a)} holds for every address {@code a}.
 * Host names are kept as given (no resolution, no case folding). Instances are immutable and
 * thread-safe.
 *
 * @param host the host name or IP literal, without brackets; never empty
 * @param port the TCP port, 1 to 65535
 */
public record NodeAddress(String host, int port) {

    /** The PostgreSQL default port, used when an address names no port. */
    public static final int DEFAULT_PORT = 5432;

    /**
     * Creates an address.
     *
     * @param host the host name or IP literal, without brackets
     * @param port the TCP port, 1 to 65535
     * @throws NullPointerException     if {@code host} is null
     * @throws IllegalArgumentException if {@code host} is empty, contains brackets, a comma,
     *                                  a slash or whitespace, or {@code port} is out of range
     */
    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '[' || c == ']' || c == ',' || c == '/' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("host contains an illegal character '" + c + "': " + host);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        }
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [ipv6]} or {@code [ipv6]:port}.
     *
     * @param text        the address text; IPv6 literals must be in brackets
     * @param defaultPort the port to use when {@code text} names none
     * @return the address
     * @throws NullPointerException     if {@code text} is null
     * @throws IllegalArgumentException if the text is not a valid address; the message says why
     */
    public static NodeAddress parse(String text, int defaultPort) {
        Objects.requireNonNull(text, "text");
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unterminated '[' in address: " + text);
            }
            host = text.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets are only for IPv6 literals: " + text);
            }
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new IllegalArgumentException("expected ':' after ']' in address: " + text);
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 literals must be enclosed in brackets: " + text);
            }
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
        }
        int port = portText == null ? defaultPort : parsePort(portText, text);
        return new NodeAddress(host, port);
    }

    /**
     * Parses an address with the PostgreSQL default port {@value #DEFAULT_PORT}.
     *
     * @param text the address text, as for {@link #parse(String, int)}
     * @return the address
     * @throws NullPointerException     if {@code text} is null
     * @throws IllegalArgumentException if the text is not a valid address
     */
    public static NodeAddress parse(String text) {
        return parse(text, DEFAULT_PORT);
    }

    /** @return true when the host is an IPv6 literal (and is therefore written in brackets) */
    public boolean isIpv6Literal() {
        return host.indexOf(':') >= 0;
    }

    /** @return {@code host:port}, with an IPv6 literal in brackets */
    @Override
    public String toString() {
        return isIpv6Literal() ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static int parsePort(String portText, String text) {
        // Digits only: Integer.parseInt would accept "+5432" and non-ASCII digits.
        if (portText.isEmpty() || portText.length() > 5) {
            throw new IllegalArgumentException("invalid port in address: " + text);
        }
        int port = 0;
        for (int i = 0; i < portText.length(); i++) {
            char c = portText.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("invalid port in address: " + text);
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535 in address: " + text);
        }
        return port;
    }
}
