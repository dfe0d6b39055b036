package io.samtykke.consent.record;

import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;

/**
 * The consent state machine of one subject × purpose. Plain Java: no framework, unit-tested alone.
 *
 * <ul>
 *   <li>GRANT from any state: GRANTED, or PENDING_CONFIRMATION when the purpose needs double opt-in
 *       (re-grant is allowed; a grant while GRANTED renews it, e.g. after a new notice version).</li>
 *   <li>DENY when nothing is granted: NONE, PENDING_CONFIRMATION, DENIED, WITHDRAWN, EXPIRED → DENIED.
 *       A granted consent is taken back with WITHDRAW, which is recorded as what it is.</li>
 *   <li>WITHDRAW from any state, never refused (GDPR Art. 7(3)): WITHDRAWN; for purposes based on
 *       legitimate interest or the existing-customer exception a "no" is an objection: OBJECTED.</li>
 *   <li>OBJECT (Art. 21) only for legitimate-interest and existing-customer purposes: OBJECTED.</li>
 *   <li>CONFIRM (double opt-in) only from PENDING_CONFIRMATION: GRANTED.</li>
 *   <li>EXPIRE (system) from GRANTED (past its validity) or PENDING_CONFIRMATION (unconfirmed past the
 *       confirmation link's expiry): EXPIRED.</li>
 * </ul>
 */
public final class Transitions {

    private Transitions() {
    }

    /** The state after {@code action}; throws {@link IllegalTransition} when the change is not allowed. */
    public static ConsentState next(ConsentState current, ConsentAction action, LegalBasis basis, boolean doubleOptIn) {
        boolean objectable = basis == LegalBasis.LEGITIMATE_INTEREST || basis == LegalBasis.EXISTING_CUSTOMER;
        return switch (action) {
            case GRANT -> doubleOptIn && current != ConsentState.GRANTED ? ConsentState.PENDING_CONFIRMATION : ConsentState.GRANTED;
            case DENY -> switch (current) {
                case NONE, PENDING_CONFIRMATION, DENIED, WITHDRAWN, EXPIRED -> ConsentState.DENIED;
                case GRANTED -> throw new IllegalTransition(current, action, "consent is granted; withdraw it with WITHDRAW");
                case OBJECTED -> throw new IllegalTransition(current, action, "the subject has objected; nothing to deny");
            };
            case WITHDRAW -> objectable ? ConsentState.OBJECTED : ConsentState.WITHDRAWN;
            case OBJECT -> {
                if (!objectable) {
                    throw new IllegalTransition(current, action,
                            "objection applies to legitimate-interest purposes; this purpose is based on " + basis
                                    + ", withdraw it with WITHDRAW");
                }
                yield ConsentState.OBJECTED;
            }
            case CONFIRM -> {
                if (current != ConsentState.PENDING_CONFIRMATION) {
                    throw new IllegalTransition(current, action, "only a pending double opt-in can be confirmed");
                }
                yield ConsentState.GRANTED;
            }
            case EXPIRE -> {
                if (current != ConsentState.GRANTED && current != ConsentState.PENDING_CONFIRMATION) {
                    throw new IllegalTransition(current, action, "only a granted or pending consent can expire");
                }
                yield ConsentState.EXPIRED;
            }
        };
    }

    /** A change the state machine does not allow. */
    public static final class IllegalTransition extends RuntimeException {
        private final ConsentState from;
        private final ConsentAction action;

        IllegalTransition(ConsentState from, ConsentAction action, String why) {
            super(action + " is not allowed from " + from + ": " + why, null, false, false);
            this.from = from;
            this.action = action;
        }

        public ConsentState from() {
            return from;
        }

        public ConsentAction action() {
            return action;
        }
    }
}
