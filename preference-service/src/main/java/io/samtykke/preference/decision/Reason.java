package io.samtykke.preference.decision;

/** Why a decision came out as it did; every reason that applies is listed, the restrictive ones decide. */
public record Reason(Code code, String detail) {

    public enum Code {
        /** The purpose is a consent purpose and the person granted it (unexpired). */
        CONSENT_GRANTED(false),
        /** Necessary or service messages ("formal notices are sent regardless of marketing settings"). */
        EXEMPT_CATEGORY(false),
        /** A legal basis other than consent (legitimate interest, existing customer, contract, ...) without an opt-out. */
        LEGAL_BASIS(false),
        NO_CONSENT(true),
        DENIED(true),
        WITHDRAWN(true),
        EXPIRED(true),
        PENDING_CONFIRMATION(true),
        OBJECTED(true),
        ERASED(true),
        /** Processing restricted to storage (GDPR Art. 18): every purpose, whatever its category. */
        RESTRICTED(true),
        /** The purpose is not in the tenant's catalog as far as preference-service knows it. */
        UNKNOWN_PURPOSE(true),
        /** The tenant took the purpose out of use (inactive in its catalog): nothing is sent under it any more. */
        PURPOSE_INACTIVE(true),
        /** The purpose covers another channel than the one asked about. */
        CHANNEL_NOT_COVERED(true),
        TOPIC_UNSUBSCRIBED(true),
        QUIET_HOURS(true),
        FREQUENCY_CAP_REACHED(true);

        private final boolean denies;

        Code(boolean denies) {
            this.denies = denies;
        }

        public boolean denies() {
            return denies;
        }
    }
}
