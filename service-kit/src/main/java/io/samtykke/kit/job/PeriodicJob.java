package io.samtykke.kit.job;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A background job's rounds, one at a time: a round asked for while one is under way (the timer firing again, a
 * test or an operator calling it) is answered with the idle result instead of overtaking it, because two rounds over
 * the same rows would only contend. On a timer, a failed round is logged and the next interval tries again.
 *
 * @param <T> what a round answers, e.g. how many rows it changed
 */
public final class PeriodicJob<T> {

    private final String name;
    private final Logger log;
    private final T idle;
    private final Supplier<Uni<T>> round;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param name  what the job is, for the log ("expiry run" logs "expiry run failed: …")
     * @param owner the class that runs it: the log category of its lines
     * @param idle  the answer when a round is under way already
     * @param round one round, built when it is run
     */
    public PeriodicJob(String name, Class<?> owner, T idle, Supplier<Uni<T>> round) {
        this.name = name;
        this.log = Logger.getLogger(owner);
        this.idle = idle;
        this.round = round;
    }

    /** Starts a round unless one is under way; the next may start when its answer (or failure) is in. */
    public Uni<T> run() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(idle);
        }
        return round.get().eventually(() -> running.set(false));
    }

    /** Runs a round every interval, handing each answer to {@code done} (e.g. to log what it did). */
    public void every(Vertx vertx, Duration interval, Consumer<T> done) {
        vertx.setPeriodic(interval.toMillis(), id -> runLogged(done));
    }

    /** What to do with a round's count: log it (at INFO, with {@code format}'s {@code %d}) when it is not 0. */
    public Consumer<T> logCount(String format) {
        return n -> {
            if (n instanceof Number count && count.longValue() != 0) {
                log.infof(format, count);
            }
        };
    }

    /** Runs a round now, and then every interval. */
    public void nowAndEvery(Vertx vertx, Duration interval, Consumer<T> done) {
        runLogged(done);
        every(vertx, interval, done);
    }

    private void runLogged(Consumer<T> done) {
        run().subscribe().with(done, e -> log.warnf("%s failed: %s", name, e.getMessage()));
    }
}
