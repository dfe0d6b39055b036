package io.samtykke.kit.deadletter;

import io.vertx.sqlclient.DatabaseException;

/** Whether a failure to store a record is the record's fault (dead-letter it) or the moment's (retry). */
public final class BadData {

    private BadData() {
    }

    /**
     * True when {@code e} says the data being stored is at fault, so that storing the same data again fails the
     * same way: PostgreSQL's data exceptions (SQLSTATE class 22, e.g. a time out of range or text it cannot hold),
     * integrity violations (class 23) other than unique and exclusion violations (those depend on what is already
     * stored, and consumers skip what is), and program_limit_exceeded (54000, e.g. an index row too large); and
     * IllegalArgumentException, which the consumers' own code throws for values it cannot write. Everything else (no
     * connection, timeouts, a closed pool, serialization failures, missing privileges) may pass and is retried.
     */
    public static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseException db) {
                String state = db.getSqlState();
                return state != null && (state.startsWith("22")
                        || state.startsWith("23") && !state.equals("23505") && !state.equals("23P01")
                        || state.equals("54000"));
            }
            if (t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    /** The failure's message with PostgreSQL's SQLSTATE, for a dead letter's reason. */
    public static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof DatabaseException db && db.getSqlState() != null && !message.contains(db.getSqlState())) {
            message += " (SQLSTATE " + db.getSqlState() + ")";
        }
        return message;
    }
}
