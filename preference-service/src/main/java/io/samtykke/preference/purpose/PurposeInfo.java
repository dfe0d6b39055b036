package io.samtykke.preference.purpose;

import io.samtykke.contract.Channel;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;

import java.util.Map;

/** What decisions and the preference center need of a purpose in consent-service's catalog. */
public record PurposeInfo(
        String key,
        Channel channel,
        PurposeCategory category,
        LegalBasis legalBasis,
        Map<String, String> names,
        Map<String, String> descriptions,
        boolean active) {

    /** Sent regardless of marketing settings ("formal notices"): no consent, topic, quiet hours or cap applies. */
    public boolean exempt() {
        return category == PurposeCategory.NECESSARY || category == PurposeCategory.SERVICE_MESSAGES;
    }
}
