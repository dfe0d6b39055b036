package io.samtykke.kit.security;

import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;

import java.util.Set;

/**
 * Who is calling, from the verified token: the tenant (claim {@code tenant}), the token subject
 * ({@code sub}), and roles. Tenant and subject never come from a request body.
 */
public record Caller(String tenant, String subject, Set<String> roles) {

    public static final String SUBJECT = "subject";
    public static final String APP = "app";
    public static final String ADMIN = "admin";
    public static final String AUDITOR = "auditor";
    public static final String DPO = "dpo";
    public static final String MARKETING = "marketing";

    public boolean is(String role) {
        return roles.contains(role);
    }

    /**
     * A caller with the {@code subject} role acts for itself alone, unless it also holds a role that acts for others
     * ({@code app}, {@code admin}, {@code dpo}); which endpoints each role may call at all is the endpoint's
     * {@code @RolesAllowed}.
     */
    public boolean isSubjectOnly() {
        return roles.contains(SUBJECT) && !roles.contains(APP) && !roles.contains(ADMIN) && !roles.contains(DPO);
    }

    /** Refuses a subject token touching another person's data. */
    public void requireAccessTo(String subjectId) {
        if (isSubjectOnly() && !subjectId.equals(subject)) {
            throw new ProblemException(CommonProblem.FORBIDDEN_SUBJECT,
                    "this token belongs to another subject than '" + subjectId + "'");
        }
    }
}
