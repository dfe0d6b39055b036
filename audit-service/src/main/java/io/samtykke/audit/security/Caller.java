package io.samtykke.audit.security;

import java.util.Set;

/**
 * Who is calling, from the verified token: the tenant (claim {@code tenant}), the token subject
 * ({@code sub}), and roles. The tenant never comes from a request parameter.
 */
public record Caller(String tenant, String subject, Set<String> roles) {

    public static final String AUDITOR = "auditor";
    public static final String SUBJECT = "subject";
    public static final String DPO = "dpo";
    public static final String ADMIN = "admin";

    public boolean is(String role) {
        return roles.contains(role);
    }
}
