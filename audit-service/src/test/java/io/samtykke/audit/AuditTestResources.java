package io.samtykke.audit;

import io.quarkus.test.common.QuarkusTestResource;
import io.samtykke.testsupport.KafkaResource;
import io.samtykke.testsupport.OidcResource;

/**
 * Every @QuarkusTest of this module runs against the JVM's real PostgreSQL and Kafka, in one Quarkus boot,
 * with a signing key and key-encryption key generated for the run.
 */
@QuarkusTestResource(AuditDatabaseResource.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcResource.class)
@QuarkusTestResource(AuditKeysResource.class)
public class AuditTestResources {
}
