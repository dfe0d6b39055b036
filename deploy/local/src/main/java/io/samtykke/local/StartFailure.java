package io.samtykke.local;

/** A part of the cluster did not come up; carries the process whose log explains why. */
final class StartFailure extends RuntimeException {

    private final transient ChildJvm process;

    StartFailure(ChildJvm process, String message) {
        super(message);
        this.process = process;
    }

    ChildJvm process() {
        return process;
    }
}
