package io.samtykke.consent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.samtykke.kit.webhook.WebhookSignature;

import java.util.Map;

/**
 * A fresh gateway secret per test JVM for tenant {@link #TENANT}, with one keyword of its own ("SLUT"); and tenant
 * {@link #GPC_TENANT}, which honours Global Privacy Control for two purposes (and one its catalog does not have).
 */
public class InboundGatewayResource implements QuarkusTestResourceLifecycleManager {

    public static final String TENANT = "inbound-gateway-test";
    public static final String SECRET = WebhookSignature.newSecret();
    public static final String GPC_TENANT = "gpc-honouring-test";

    @Override
    public Map<String, String> start() {
        return Map.of("samtykke.inbound.tenants.\"" + TENANT + "\".secret", SECRET,
                "samtykke.inbound.tenants.\"" + TENANT + "\".sms-keywords", "slut",
                "samtykke.gpc.tenants.\"" + GPC_TENANT + "\".purposes", "partner-sharing,ad-audiences,not-in-the-catalog");
    }

    @Override
    public void stop() {
    }
}
