package io.samtykke.contract;

/**
 * What a reader needs of a person's event type, consent ({@link ConsentEventType}) or subject
 * ({@link SubjectEventType}) alike: its CloudEvents {@code type} and whether it is an opt-out, which also goes on
 * {@link Topics#CONSENT_OPTOUTS}.
 */
public interface EventType {

    String type();

    boolean isOptOut();
}
