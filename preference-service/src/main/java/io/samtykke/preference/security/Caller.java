package io.samtykke.preference.security;

import io.samtykke.preference.problem.ProblemException;
import io.samtykke.preference.problem.ProblemType;

import java.util.Set;

/**
 * Who is calling, from the verified token: the tenant (claim {@code tenant}), the token subject
 * ({@code sub}), and roles. Tenant and subject never come from a request body.
 */
public record Caller(String tenant, String subject, Set<String> roles) {

    public static final String SUBJECT = "subject";
    public static final String APP = "app";
    public static final String MARKETING = "marketing";
    public static final String ADMIN = "admin";
    public static final String AUDITOR = "auditor";
    public static final String DPO = "dpo";

    /** A caller with the {@code subject} role and not {@code app} acts for itself alone. */
    public boolean isSubjectOnly() {
        return roles.contains(SUBJECT) && !roles.contains(APP);
    }

    /** Refuses a subject token touching another person's data. */
    public void requireAccessTo(String subjectId) {
        if (isSubjectOnly() && !subjectId.equals(subject)) {
            throw new ProblemException(ProblemType.FORBIDDEN_SUBJECT,
                    "this token belongs to another subject than '" + subjectId + "'");
        }
    }
}
