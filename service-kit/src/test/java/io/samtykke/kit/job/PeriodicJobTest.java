package io.samtykke.kit.job;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PeriodicJobTest {

    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicReference<UniEmitter<? super Integer>> pending = new AtomicReference<>();
    private final PeriodicJob<Integer> job = new PeriodicJob<>("test job", PeriodicJobTest.class, 0,
            () -> {
                rounds.incrementAndGet();
                return Uni.createFrom().<Integer>emitter(pending::set);
            });

    @Test
    void aRoundAskedForWhileOneRunsIsAnsweredIdleAndTheNextOneRunsAgain() {
        AtomicReference<Integer> first = new AtomicReference<>();
        job.run().subscribe().with(first::set);

        assertEquals(0, job.run().await().indefinitely(), "overtaking the running round");
        assertEquals(1, rounds.get());

        pending.get().complete(7);
        assertEquals(7, first.get());
        job.run().subscribe().with(n -> { });
        assertEquals(2, rounds.get(), "a round after the first one ended runs");
    }

    @Test
    void aFailedRoundLetsTheNextOneRun() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        job.run().subscribe().with(n -> { }, failure::set);
        pending.get().fail(new IllegalStateException("database away"));
        assertEquals("database away", failure.get().getMessage());

        job.run().subscribe().with(n -> { });
        assertEquals(2, rounds.get());
    }
}
