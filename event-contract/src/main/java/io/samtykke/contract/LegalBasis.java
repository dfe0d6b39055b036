package io.samtykke.contract;

/**
 * GDPR Art. 6(1) legal bases, plus the ePrivacy Art. 13(2) existing-customer exception (Danish
 * Marketing Practices Act §10 stk. 2): marketing of own similar products without prior consent,
 * allowed only while the person has not opted out.
 */
public enum LegalBasis {
    CONSENT, CONTRACT, LEGAL_OBLIGATION, VITAL_INTERESTS, PUBLIC_TASK, LEGITIMATE_INTEREST, EXISTING_CUSTOMER
}
