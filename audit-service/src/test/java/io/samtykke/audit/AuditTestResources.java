package io.samtykke.audit;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.samtykke.testsupport.KafkaResource;
import io.samtykke.testsupport.OidcResource;
import io.samtykke.testsupport.PostgresResource;

/** Every @QuarkusTest of this module runs against the JVM's real PostgreSQL and Kafka, in one Quarkus boot. */
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "audit"))
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcResource.class)
public class AuditTestResources {
}
