package io.samtykke.kit.deadletter;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadDataTest {

    @Test
    void onlyDataExceptionsIntegrityViolationsAndLimitsOfTheDataCountAsBadData() {
        for (String state : List.of("22021", "22008", "22P02", "23502", "23514", "54000")) {
            assertTrue(BadData.is(new PgException("refused", "ERROR", state, null)), state);
        }
        assertTrue(BadData.is(new IllegalArgumentException("a string holds a lone surrogate")));
        assertTrue(BadData.is(new CompletionException(new PgException("refused", "ERROR", "22001", null))));
        for (String state : List.of("08006", "08001", "57P01", "53300", "40001", "40P01", "23505", "23P01", "42501", "42P01",
                "54001", "XX000")) {
            assertFalse(BadData.is(new PgException("failed", "ERROR", state, null)), state);
        }
        assertFalse(BadData.is(new VertxException("Connection refused")));
        assertFalse(BadData.is(new io.smallrye.mutiny.TimeoutException()));
        assertFalse(BadData.is(new IllegalStateException("Pool closed")));
    }

    /** PostgreSQL's message already names its SQLSTATE: it is kept as it is, not named twice. */
    @Test
    void aDescriptionNamesPostgreSqlsState() {
        assertEquals("ERROR: invalid byte sequence (22021)", BadData.describe(new PgException("invalid byte sequence", "ERROR", "22021", null)));
        assertEquals("IllegalStateException", BadData.describe(new IllegalStateException()));
    }
}
