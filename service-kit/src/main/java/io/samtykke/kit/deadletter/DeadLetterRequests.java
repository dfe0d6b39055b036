package io.samtykke.kit.deadletter;

import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * The two requests every service serves on its dead letters, read and answered the same way everywhere: a page of
 * the tenant's dead letters ({@code GET ?after=&limit=&all=}) and the replay of one ({@code POST {id}/replay}).
 * Each service's resource keeps its path, roles, documentation and answer, and says what a replay does.
 */
public final class DeadLetterRequests {

    /** The API documentation of a page, the same wherever one is served. */
    public static final String PAGE_DESCRIPTION = "Each with its topic, partition, offset, event id and type (as the record"
            + " claimed), the reason and the raw value (base64). Without all=true only those not replayed yet.";
    public static final String PAGE_ANSWER = "One page; nextAfter is absent on the last";

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    /** What a replay does with a letter: null when the record was used now, else why it is still refused. */
    @FunctionalInterface
    public interface Replay {
        String refusal(DeadLetterTable.Stored letter);
    }

    private DeadLetterRequests() {
    }

    /** One page after the id {@code after}, oldest first; with {@code all=true} the replayed ones too. */
    public static Uni<DeadLetterTable.Page> page(DeadLetterTable table, String tenant, String after, String limit, String all) {
        return table.page(tenant, QueryParams.wholeNumber(after, "after").orElse(0L),
                QueryParams.limit(limit, DEFAULT_LIMIT, MAX_LIMIT), QueryParams.choice(all, "all", "false", "true"));
    }

    /**
     * Replays the tenant's letter {@code id} unless it was replayed already (then it is not run again), and gives its
     * id: 404 when the tenant has no such letter, 422 (still-refused) with the reason when the replay refuses it.
     * Blocking: call it from a worker thread.
     */
    public static long replay(DeadLetterTable table, String tenant, String id, Replay replay) {
        long n = QueryParams.wholeNumber(id, "id").orElseThrow();
        DeadLetterTable.Stored letter = table.get(tenant, n).await().indefinitely()
                .orElseThrow(() -> new ProblemException(CommonProblem.NOT_FOUND, "no dead letter " + n));
        if (letter.view().replayedAt() == null) {
            String refusal = replay.refusal(letter);
            if (refusal != null) {
                throw new ProblemException(CommonProblem.STILL_REFUSED, refusal);
            }
        }
        return n;
    }
}
