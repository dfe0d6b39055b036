package io.samtykke.contract;

/** The right a data subject request exercises (GDPR Art. 15-21). */
public enum SubjectRequestType {
    /** Art. 15. */
    ACCESS,
    /** Art. 20. */
    PORTABILITY,
    /** Art. 17. */
    ERASURE,
    /** Art. 18: completing the request restricts processing to storage. */
    RESTRICTION,
    /** Art. 21(1): objection to processing under legitimate interest or public task, weighed by the controller. */
    OBJECTION,
    /** Art. 16. */
    RECTIFICATION
}
