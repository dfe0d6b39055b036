package io.samtykke.contract;

public enum PurposeCategory {
    MARKETING, ANALYTICS, FUNCTIONAL, NECESSARY, SERVICE_MESSAGES
}
