package io.samtykke.contract;

/** What a consent record does. CONFIRM and EXPIRE come from the system, the rest from requests. */
public enum ConsentAction {
    GRANT, DENY, WITHDRAW, OBJECT, CONFIRM, EXPIRE
}
