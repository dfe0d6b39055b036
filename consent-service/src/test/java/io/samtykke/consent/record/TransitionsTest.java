package io.samtykke.consent.record;

import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static io.samtykke.contract.ConsentAction.CONFIRM;
import static io.samtykke.contract.ConsentAction.DENY;
import static io.samtykke.contract.ConsentAction.EXPIRE;
import static io.samtykke.contract.ConsentAction.GRANT;
import static io.samtykke.contract.ConsentAction.OBJECT;
import static io.samtykke.contract.ConsentAction.WITHDRAW;
import static io.samtykke.contract.ConsentState.DENIED;
import static io.samtykke.contract.ConsentState.EXPIRED;
import static io.samtykke.contract.ConsentState.GRANTED;
import static io.samtykke.contract.ConsentState.NONE;
import static io.samtykke.contract.ConsentState.OBJECTED;
import static io.samtykke.contract.ConsentState.PENDING_CONFIRMATION;
import static io.samtykke.contract.ConsentState.WITHDRAWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransitionsTest {

    private static ConsentState consent(ConsentState from, ConsentAction action) {
        return Transitions.next(from, action, LegalBasis.CONSENT, false);
    }

    @ParameterizedTest(name = "{0}: {1} + {2} under {3} -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            a grant from nothing grants                                | NONE                 | GRANT    | CONSENT             | false | GRANTED
            a double opt-in grant waits for confirmation               | NONE                 | GRANT    | CONSENT             | true  | PENDING_CONFIRMATION
            the confirmation of a double opt-in grants                 | PENDING_CONFIRMATION | CONFIRM  | CONSENT             | true  | GRANTED
            a regrant after a withdrawal is allowed                    | WITHDRAWN            | GRANT    | CONSENT             | false | GRANTED
            a regrant after an expiry is allowed                       | EXPIRED              | GRANT    | CONSENT             | false | GRANTED
            a regrant after a denial is allowed                        | DENIED               | GRANT    | CONSENT             | false | GRANTED
            a renewal, e.g. under a new notice version                 | GRANTED              | GRANT    | CONSENT             | false | GRANTED
            withdrawing a legitimate-interest purpose is an objection  | NONE                 | WITHDRAW | LEGITIMATE_INTEREST | false | OBJECTED
            objecting to an existing-customer purpose                  | GRANTED              | OBJECT   | EXISTING_CUSTOMER   | false | OBJECTED
            """)
    void allowedTransitions(String what, ConsentState from, ConsentAction action, LegalBasis basis, boolean doubleOptIn,
                            ConsentState expected) {
        assertEquals(expected, Transitions.next(from, action, basis, doubleOptIn), what);
    }

    @ParameterizedTest
    @EnumSource(ConsentState.class)
    void withdrawingIsPossibleFromEveryState(ConsentState from) {
        assertEquals(WITHDRAWN, consent(from, WITHDRAW));
    }

    @Test
    void objectingToAConsentPurposeIsRefused() {
        var e = assertThrows(Transitions.IllegalTransition.class, () -> consent(GRANTED, OBJECT));
        assertEquals(OBJECT, e.action());
    }

    @Test
    void denyingAGrantedConsentIsRefusedInFavourOfWithdraw() {
        var e = assertThrows(Transitions.IllegalTransition.class, () -> consent(GRANTED, DENY));
        assertEquals(GRANTED, e.from());
        assertEquals(DENIED, consent(NONE, DENY));
        assertEquals(DENIED, consent(PENDING_CONFIRMATION, DENY));
    }

    @Test
    void onlyPendingCanBeConfirmedAndOnlyGrantedOrPendingCanExpire() {
        assertThrows(Transitions.IllegalTransition.class, () -> consent(NONE, CONFIRM));
        assertThrows(Transitions.IllegalTransition.class, () -> consent(GRANTED, CONFIRM));
        assertThrows(Transitions.IllegalTransition.class, () -> consent(WITHDRAWN, EXPIRE));
        assertThrows(Transitions.IllegalTransition.class, () -> consent(DENIED, EXPIRE));
        assertThrows(Transitions.IllegalTransition.class, () -> consent(NONE, EXPIRE));
        assertEquals(EXPIRED, consent(GRANTED, EXPIRE));
        assertEquals(EXPIRED, consent(PENDING_CONFIRMATION, EXPIRE), "an unconfirmed double opt-in expires");
    }
}
