package io.samtykke.contract;

/** Where a data subject request stands. COMPLETED and REJECTED are final. */
public enum SubjectRequestStatus {
    RECEIVED, IN_PROGRESS, EXTENDED, COMPLETED, REJECTED;

    public boolean isOpen() {
        return this != COMPLETED && this != REJECTED;
    }
}
