package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A self-signed server certificate for {@code 127.0.0.1} (and nothing else), made with
 * {@code openssl}, so tests can check that TLS with {@code sslmode=verify-full} is verified
 * against the address a connection actually dials.
 */
final class SelfSignedCert {
    private SelfSignedCert() {
    }

    /** Writes {@code server.crt}/{@code server.key} into a data directory, turns TLS on, and copies the cert to {@code rootCert}. */
    static void install(Path dataDir, Path rootCert) throws IOException {
        Path crt = dataDir.resolve("server.crt");
        Path key = dataDir.resolve("server.key");
        Exec.Result r = Exec.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", crt.toString()), null, null, 60);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("openssl could not make a test certificate: " + r.output());
        }
        Files.copy(crt, rootCert, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n", "",
                "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", ""),
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Exec.chownToService(dataDir);
        // PostgreSQL refuses a key readable by others.
        Exec.runAsService(List.of("chmod", "0600", key.toString()), null, 30);
    }
}
