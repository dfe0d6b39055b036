package io.samtykke.contract;

import java.util.Arrays;
import java.util.Optional;

/** CloudEvents {@code type} values of consent events; the resulting state decides the type. */
public enum ConsentEventType implements EventType {
    GRANTED("io.samtykke.consent.granted.v1", ConsentState.GRANTED),
    PENDING_CONFIRMATION("io.samtykke.consent.pending.v1", ConsentState.PENDING_CONFIRMATION),
    DENIED("io.samtykke.consent.denied.v1", ConsentState.DENIED),
    WITHDRAWN("io.samtykke.consent.withdrawn.v1", ConsentState.WITHDRAWN),
    EXPIRED("io.samtykke.consent.expired.v1", ConsentState.EXPIRED),
    OBJECTED("io.samtykke.consent.objected.v1", ConsentState.OBJECTED);

    private final String type;
    private final ConsentState state;

    ConsentEventType(String type, ConsentState state) {
        this.type = type;
        this.state = state;
    }

    public String type() {
        return type;
    }

    public ConsentState state() {
        return state;
    }

    /** True when the event also goes on {@link Topics#CONSENT_OPTOUTS}. */
    public boolean isOptOut() {
        return state.isOptOut();
    }

    public static ConsentEventType forState(ConsentState state) {
        for (ConsentEventType t : values()) {
            if (t.state == state) {
                return t;
            }
        }
        throw new IllegalArgumentException("no event type for state " + state);
    }

    public static ConsentEventType fromType(String type) {
        return find(type).orElseThrow(() -> new IllegalArgumentException("unknown consent event type " + type));
    }

    /** The consent event type of a CloudEvents {@code type}, empty for anything else (a reader tells the streams apart). */
    public static Optional<ConsentEventType> find(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }
}
