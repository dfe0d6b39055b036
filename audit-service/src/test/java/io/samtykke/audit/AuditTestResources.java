package io.samtykke.audit;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.samtykke.testsupport.KafkaResource;
import io.samtykke.testsupport.OidcResource;
import io.samtykke.testsupport.PostgresResource;

/**
 * Every @QuarkusTest of this module runs against the JVM's real PostgreSQL and Kafka, in one Quarkus boot,
 * with a signing key and key-encryption key generated for the run. The database "audit" is set up as in
 * production: Flyway migrates as the owner, the service connects as its application role, which may only
 * read and append evidence.
 */
@QuarkusTestResource(value = PostgresResource.class, initArgs = {
        @ResourceArg(name = "database", value = AuditTestResources.DATABASE),
        @ResourceArg(name = "app-user", value = AuditTestResources.APP_ROLE),
        @ResourceArg(name = "app-password", value = AuditTestResources.APP_PASSWORD)})
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcResource.class)
@QuarkusTestResource(AuditKeysResource.class)
public class AuditTestResources {

    public static final String DATABASE = "audit";
    public static final String APP_ROLE = "audit_app";
    public static final String APP_PASSWORD = "audit-app-test";
}
