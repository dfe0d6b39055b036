package io.samtykke.audit.verifier;

/** Something offered as evidence does not hold up; the message says what, in words an auditor can act on. */
public class VerificationException extends Exception {

    public VerificationException(String message) {
        super(message, null, false, false);
    }
}
