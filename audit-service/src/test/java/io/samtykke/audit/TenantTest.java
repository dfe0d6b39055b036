package io.samtykke.audit;

/**
 * A test with a tenant of its own for each test method (JUnit makes an instance per test), so tests never see each
 * other's log entries, checkpoints or keys.
 */
abstract class TenantTest {

    protected final Auditor auditor = Auditor.newTenant();
}
