package io.samtykke.consent;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.samtykke.testsupport.KafkaResource;
import io.samtykke.testsupport.OidcResource;
import io.samtykke.testsupport.PostgresResource;

/** Every @QuarkusTest of this module runs against the JVM's real PostgreSQL and Kafka. */
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "consent"))
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcResource.class)
@QuarkusTestResource(IdentifierKeyResource.class)
@QuarkusTestResource(InboundGatewayResource.class)
public class ConsentTestResources {
}
