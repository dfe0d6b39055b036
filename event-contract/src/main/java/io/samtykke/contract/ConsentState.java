package io.samtykke.contract;

/** The current state of one subject × purpose. */
public enum ConsentState {
    NONE, GRANTED, PENDING_CONFIRMATION, DENIED, WITHDRAWN, EXPIRED, OBJECTED;

    /** True for the states a marketing tool must treat as "do not contact". */
    public boolean isOptOut() {
        return this == DENIED || this == WITHDRAWN || this == EXPIRED || this == OBJECTED;
    }
}
