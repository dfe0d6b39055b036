package io.samtykke.contract;

/** Who made a consent change: the person, someone acting for them, a bulk import, or the system. */
public enum ActorType {
    SUBJECT, AGENT, IMPORT, SYSTEM
}
