package io.github.citusjdbc.config;

import java.util.Locale;

/**
 * Which connection properties are secrets, never shown in a URL, a log line, an exception or
 * {@code toString}: every key naming a password ({@code password}, {@code sslpassword}, ...).
 * The one rule for the driver's public URL, the DataSource's URL and {@code getPropertyInfo}.
 */
public final class Secrets {

    private Secrets() {
    }

    /** @return whether the property {@code key} names a secret */
    public static boolean isSecret(String key) {
        return key.toLowerCase(Locale.ROOT).contains("password");
    }
}
