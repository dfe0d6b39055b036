package io.samtykke.testsupport;

/**
 * Stops the JVM's shared infrastructure (broker, database) when the test JVM exits. A failure there is
 * swallowed: the JVM is going away, and the tests have already reported.
 */
final class AtExit {

    private AtExit() {
    }

    static void close(AutoCloseable resource, String threadName) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                resource.close();
            } catch (Exception ignored) {
                // the JVM is exiting; nothing useful left to do
            }
        }, threadName));
    }
}
