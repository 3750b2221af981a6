package io.github.citusjdbc.testkit;

/**
 * Chooses where {@link LocalCluster#shared()} gets its cluster from, by the environment: real
 * Citus in Docker ({@code CITUS_TESTKIT_BACKEND=testcontainers}), an existing cluster
 * ({@value LocalCluster#EXISTING_URL_ENV}), else local servers the kit starts.
 */
final class Backends {
    /** Value of {@code CITUS_TESTKIT_BACKEND} that selects Citus in Docker. */
    private static final String TESTCONTAINERS = "testcontainers";

    private Backends() {
    }

    /** @return a new cluster from the backend the environment selects; the caller closes it */
    static LocalCluster startSelected() {
        String url = System.getenv(LocalCluster.EXISTING_URL_ENV);
        if (TESTCONTAINERS.equals(System.getenv("CITUS_TESTKIT_BACKEND"))) {
            try {
                Class.forName("org.testcontainers.containers.GenericContainer", false, LocalCluster.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                // An optional dependency of the kit: say what to add rather than fail with NoClassDefFoundError.
                throw new IllegalStateException("CITUS_TESTKIT_BACKEND=testcontainers needs"
                        + " org.testcontainers:testcontainers on the test class path", e);
            }
            return CitusContainers.start();
        }
        if (url != null && !url.isBlank()) {
            return LocalCluster.attach(ExistingCluster.Settings.fromEnvironment());
        }
        return LocalCluster.start(LocalCluster.Options.defaults());
    }
}
