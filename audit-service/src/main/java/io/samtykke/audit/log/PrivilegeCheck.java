package io.samtykke.audit.log;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Warns at start when the service's database role could change or remove evidence. The triggers still
 * refuse it, but the role is meant to be unable to: it should be the application role, not the owner.
 */
@ApplicationScoped
public class PrivilegeCheck {

    @Inject
    Pool pool;

    void check(@Observes StartupEvent event) {
        try {
            Row r = pool.query("""
                            select current_user as role,
                                   has_table_privilege(current_user, 'audit_entry', 'UPDATE, DELETE, TRUNCATE') as can_change""")
                    .execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
            if (r.getBoolean("can_change")) {
                Log.warnf("database role %s may UPDATE, DELETE or TRUNCATE audit_entry; connect as the application role"
                        + " (quarkus.datasource.username, created by the V3 migration) so only the triggers are not the last line",
                        r.getString("role"));
            }
        } catch (RuntimeException e) {
            Log.warnf("could not check the database role's privileges: %s", e.getMessage());
        }
    }
}
