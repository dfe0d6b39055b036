package io.samtykke.contract;

import java.util.Arrays;
import java.util.Optional;

/**
 * The CloudEvents {@code type} of each {@link SubjectEvent} on {@link Topics#SUBJECT_EVENTS}: what happened to the
 * person as a whole (not to one purpose), and each step of a data subject request. Objection is an opt-out, so it
 * also goes on {@link Topics#CONSENT_OPTOUTS}.
 */
public enum SubjectEventType implements EventType {
    /** The person objected to all direct marketing of the tenant (GDPR Art. 21(2)-(3)): every MARKETING purpose, now and later, every channel. */
    OBJECTED("io.samtykke.subject.objected.v1", true),
    /** The person withdrew that objection; marketing purposes follow their own consent again. */
    OBJECTION_WITHDRAWN("io.samtykke.subject.objection-withdrawn.v1", false),
    /** Processing restricted to storage (Art. 18): no purpose may be processed, so no contact, until lifted. An opt-out. */
    RESTRICTED("io.samtykke.subject.restricted.v1", true),
    RESTRICTION_LIFTED("io.samtykke.subject.restriction-lifted.v1", false),
    /** A data subject request was received; its due date is one calendar month later (Art. 12(3)). */
    REQUEST_RECEIVED("io.samtykke.subject.request-received.v1", false),
    /** The controller started working on a request. */
    REQUEST_STARTED("io.samtykke.subject.request-started.v1", false),
    /** The due date was extended (by at most two further months, once, with a reason; Art. 12(3)). */
    REQUEST_EXTENDED("io.samtykke.subject.request-extended.v1", false),
    REQUEST_COMPLETED("io.samtykke.subject.request-completed.v1", false),
    REQUEST_REJECTED("io.samtykke.subject.request-rejected.v1", false),
    /**
     * An ACCESS or PORTABILITY request was started: every service publishes its part of the person's export
     * ({@link SubjectExportPart}, Art. 15 and 20) on {@link Topics#SUBJECT_EVENTS}; carries the request.
     */
    EXPORT_REQUESTED("io.samtykke.subject.export-requested.v1", false),
    /** Every service's part is in and the export is assembled; {@code reason} names the parts, size and SHA-256. */
    EXPORT_READY("io.samtykke.subject.export-ready.v1", false),
    /** The export was delivered: downloaded by the person or the DPO (the evidence says who); the content is not in the event. */
    EXPORTED("io.samtykke.subject.exported.v1", false),
    /**
     * The person was erased (GDPR Art. 17), by a completed ERASURE request or by the tenant's inactivity retention: every
     * recipient must delete what it holds about them (Art. 19) and never contact them again. The last event about the
     * subject id; carries the request. An opt-out, also on {@link Topics#CONSENT_OPTOUTS}.
     */
    ERASED("io.samtykke.subject.erased.v1", true);

    private final String type;
    private final boolean optOut;

    SubjectEventType(String type, boolean optOut) {
        this.type = type;
        this.optOut = optOut;
    }

    public String type() {
        return type;
    }

    /** True when the event also goes on {@link Topics#CONSENT_OPTOUTS}: after it the person must not be contacted. */
    public boolean isOptOut() {
        return optOut;
    }

    /** True for the steps of a data subject request (and of its export), whose events carry {@link SubjectEvent#request()}. */
    public boolean isRequestStep() {
        return name().startsWith("REQUEST_") || name().startsWith("EXPORT");
    }

    public static SubjectEventType fromType(String type) {
        return find(type).orElseThrow(() -> new IllegalArgumentException("unknown subject event type " + type));
    }

    /** The subject event type of a CloudEvents {@code type}, empty for anything else (e.g. a newer version). */
    public static Optional<SubjectEventType> find(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }

    /** True when {@code type} names a subject event (of any version), so a consumer can tell the two streams apart. */
    public static boolean isSubjectType(String type) {
        return type != null && type.startsWith("io.samtykke.subject.");
    }
}
