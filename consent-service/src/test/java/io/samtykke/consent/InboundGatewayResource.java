package io.samtykke.consent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.samtykke.kit.webhook.WebhookSignature;

import java.util.Map;

/** A fresh gateway secret per test JVM for tenant {@link #TENANT}, with one keyword of its own ("SLUT"). */
public class InboundGatewayResource implements QuarkusTestResourceLifecycleManager {

    public static final String TENANT = "inbound-gateway-test";
    public static final String SECRET = WebhookSignature.newSecret();

    @Override
    public Map<String, String> start() {
        return Map.of("samtykke.inbound.tenants.\"" + TENANT + "\".secret", SECRET,
                "samtykke.inbound.tenants.\"" + TENANT + "\".sms-keywords", "slut");
    }

    @Override
    public void stop() {
    }
}
