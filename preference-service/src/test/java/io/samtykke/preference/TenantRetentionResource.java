package io.samtykke.preference;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Tenant {@link #TENANT} with a retention of its own: SMS sends 60 days, email sends and the delivery ledger a year. */
public class TenantRetentionResource implements QuarkusTestResourceLifecycleManager {

    public static final String TENANT = "own-retention-test";

    @Override
    public Map<String, String> start() {
        String prefix = "samtykke.retention.tenants.\"" + TENANT + "\".";
        return Map.of(prefix + "sends.SMS", "P60D", prefix + "sends.EMAIL", "P365D", prefix + "webhook-deliveries", "P365D");
    }

    @Override
    public void stop() {
    }
}
