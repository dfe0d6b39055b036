package io.samtykke.preference;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.samtykke.testsupport.KafkaResource;
import io.samtykke.testsupport.OidcResource;
import io.samtykke.testsupport.PostgresResource;

/**
 * Every @QuarkusTest of this module runs against the JVM's real PostgreSQL and Kafka, in one Quarkus boot, with a
 * stand-in for consent-service's HTTP API (the service is not part of this module; system-tests use the real one).
 */
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "preference"))
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcResource.class)
@QuarkusTestResource(FakeConsentService.class)
@QuarkusTestResource(TenantRetentionResource.class)
public class PreferenceTestResources {
}
