package io.samtykke.consent.record;

import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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

    @Test
    void grantFromNothingGrants() {
        assertEquals(GRANTED, consent(NONE, GRANT));
    }

    @Test
    void grantOfDoubleOptInPurposeWaitsForConfirmation() {
        assertEquals(PENDING_CONFIRMATION, Transitions.next(NONE, GRANT, LegalBasis.CONSENT, true));
        assertEquals(GRANTED, Transitions.next(PENDING_CONFIRMATION, CONFIRM, LegalBasis.CONSENT, true));
    }

    @Test
    void regrantAfterWithdrawalExpiryOrDenialIsAllowed() {
        assertEquals(GRANTED, consent(WITHDRAWN, GRANT));
        assertEquals(GRANTED, consent(EXPIRED, GRANT));
        assertEquals(GRANTED, consent(DENIED, GRANT));
        assertEquals(GRANTED, consent(GRANTED, GRANT), "renewal, e.g. under a new notice version");
    }

    @ParameterizedTest
    @EnumSource(ConsentState.class)
    void withdrawingIsPossibleFromEveryState(ConsentState from) {
        assertEquals(WITHDRAWN, consent(from, WITHDRAW));
    }

    @Test
    void withdrawingALegitimateInterestPurposeIsAnObjection() {
        assertEquals(OBJECTED, Transitions.next(NONE, WITHDRAW, LegalBasis.LEGITIMATE_INTEREST, false));
        assertEquals(OBJECTED, Transitions.next(GRANTED, OBJECT, LegalBasis.EXISTING_CUSTOMER, false));
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
    void onlyPendingCanBeConfirmedAndOnlyGrantedCanExpire() {
        assertThrows(Transitions.IllegalTransition.class, () -> consent(NONE, CONFIRM));
        assertThrows(Transitions.IllegalTransition.class, () -> consent(WITHDRAWN, EXPIRE));
        assertEquals(EXPIRED, consent(GRANTED, EXPIRE));
    }
}
