package io.samtykke.bench;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-loop load at a fixed rate over a fixed number of connections (one worker thread each). Request i is due
 * at start + i / rate whatever happened before it, and its latency is measured from that due time, not from when a
 * worker got round to sending it: when the system falls behind, the waiting counts (no coordinated omission, as in
 * wrk2). The highest rate whose p99 stays under a bound, with the rate actually achieved, is what a run reports.
 */
final class OpenLoop {

    /** One operation, given its sequence number; throws if the answer is wrong (a wrong answer is not a fast one). */
    @FunctionalInterface
    interface Op {
        void run(int i) throws Exception;

        /** The same, told the request's due time ({@link System#nanoTime()}), for an op that measures beyond its answer. */
        default void run(int i, long dueNanos) throws Exception {
            run(i);
        }
    }

    /** An op that needs its due time, e.g. to time what the request causes elsewhere from that due time. */
    @FunctionalInterface
    interface TimedOp {
        void run(int i, long dueNanos) throws Exception;
    }

    /** A check after a step (e.g. that consumers kept up), which can make a step within its p99 bound fail. */
    @FunctionalInterface
    interface StepCheck {
        boolean holds(Step step) throws Exception;
    }

    static Op timed(TimedOp op) {
        return new Op() {
            @Override
            public void run(int i) throws Exception {
                op.run(i, System.nanoTime());
            }

            @Override
            public void run(int i, long dueNanos) throws Exception {
                op.run(i, dueNanos);
            }
        };
    }

    /** One step: the offered rate, what was done, latency in ms, and completions per second over the step. */
    record Step(double offeredPerSecond, double achievedPerSecond, long done, long errors, double p50, double p90, double p99,
                double p999, double max, List<Long> perSecond, long startEpochMillis, long endEpochMillis) {
        boolean holds(double p99BoundMs) {
            return errors == 0 && p99 <= p99BoundMs && achievedPerSecond >= 0.95 * offeredPerSecond;
        }
    }

    /** The highest rate that held, and every step tried. */
    record Search(String name, Step best, List<Step> steps) {
    }

    private OpenLoop() {
    }

    /** Runs {@code ops} (one per connection, each may keep its own connection) at {@code rate} for {@code duration}. */
    static Step run(IntFunction<Op> opPerConnection, int connections, double rate, Duration duration) throws InterruptedException {
        long startEpoch = System.currentTimeMillis() + 50;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long end = start + duration.toNanos();
        double interval = 1e9 / rate;
        long total = (long) (duration.toNanos() / interval);
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int seconds = (int) Math.ceil(duration.toMillis() / 1000.0) + 60;
        long[] perSecond = new long[seconds];
        Histogram[] histograms = new Histogram[connections];
        CountDownLatch done = new CountDownLatch(connections);
        long[] lastFinish = new long[connections];
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Op op = opPerConnection.apply(c);
            histograms[c] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Thread worker = new Thread(() -> {
                try {
                    long i;
                    while ((i = next.getAndIncrement()) < total) {
                        long due = start + (long) (i * interval);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        try {
                            op.run((int) i, due);
                        } catch (Exception e) {
                            if (errors.getAndIncrement() == 0) {
                                System.err.println("first error: " + e);
                            }
                        }
                        long finished = System.nanoTime();
                        histograms[connection].recordValue(Math.min(finished - due, TimeUnit.SECONDS.toNanos(60)));
                        int second = (int) ((finished - start) / 1_000_000_000L);
                        if (second >= 0 && second < perSecond.length) {
                            synchronized (perSecond) {
                                perSecond[second]++;
                            }
                        }
                        lastFinish[connection] = finished;
                    }
                } finally {
                    done.countDown();
                }
            }, "open-loop-" + c);
            worker.setDaemon(true);
            worker.start();
        }
        done.await();
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long finishedAt = end;
        for (int c = 0; c < connections; c++) {
            all.add(histograms[c]);
            finishedAt = Math.max(finishedAt, lastFinish[c]);
        }
        double elapsed = (finishedAt - start) / 1e9;
        List<Long> series = new ArrayList<>();
        for (int s = 0; s < Math.min(perSecond.length, (int) Math.ceil(elapsed)); s++) {
            series.add(perSecond[s]);
        }
        return new Step(rate, all.getTotalCount() / elapsed, all.getTotalCount(), errors.get(),
                ms(all.getValueAtPercentile(50)), ms(all.getValueAtPercentile(90)), ms(all.getValueAtPercentile(99)),
                ms(all.getValueAtPercentile(99.9)), ms(all.getMaxValue()), series, startEpoch,
                startEpoch + (long) (elapsed * 1000));
    }

    /**
     * The highest rate at which p99 stays under {@code p99BoundMs} with every request answered right: doubles from
     * {@code startRate} until a step fails (halves from it, at most four times, until one holds if the first fails),
     * then bisects between the last good and the first bad rate.
     */
    static Search findMax(String name, IntFunction<Op> op, int connections, double startRate, double p99BoundMs,
                          Duration step, int bisections) throws InterruptedException {
        try {
            return findMax(name, op, connections, startRate, p99BoundMs, step, bisections, s -> true);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same, where a step holds only if {@code check} says so too (after it ran, before the next). */
    static Search findMax(String name, IntFunction<Op> op, int connections, double startRate, double p99BoundMs,
                          Duration step, int bisections, StepCheck check) throws Exception {
        return findMax(name, rate -> run(op, connections, rate, step), startRate, p99BoundMs, bisections, check);
    }

    /** One open-loop step at a given rate, by whatever load generator (this class's workers, pgbench). */
    interface StepRunner {
        Step run(double rate) throws Exception;
    }

    /** The same search over steps that {@code runner} measures. */
    static Search findMax(String name, StepRunner runner, double startRate, double p99BoundMs, int bisections,
                          StepCheck check) throws Exception {
        List<Step> steps = new ArrayList<>();
        Step best = null;
        double rate = startRate;
        double bad = Double.NaN;
        boolean up = true;
        while (true) {
            Step s = runner.run(rate);
            steps.add(s);
            report(name, s, p99BoundMs);
            boolean held = check.holds(s) & s.holds(p99BoundMs); // the check runs either way (it may wait for consumers to drain)
            if (held) {
                best = s;
            }
            if (held && up) {
                rate *= 2;
            } else if (!held && best == null && rate > startRate / 16) {
                up = false; // the start rate was already too much: halve until one holds
                bad = rate;
                rate /= 2;
            } else {
                bad = up ? rate : bad;
                break;
            }
        }
        double good = best == null ? 0 : best.offeredPerSecond();
        for (int b = 0; b < bisections && best != null; b++) {
            double mid = (good + bad) / 2;
            Step s = runner.run(mid);
            steps.add(s);
            report(name, s, p99BoundMs);
            if (check.holds(s) & s.holds(p99BoundMs)) {
                best = s;
                good = mid;
            } else {
                bad = mid;
            }
        }
        return new Search(name, best, steps);
    }

    private static void report(String name, Step s, double bound) {
        System.out.printf(java.util.Locale.ROOT, "  %-34s offered %8.0f/s achieved %8.0f/s p50 %7.2f p99 %8.2f ms errors %d %s%n",
                name, s.offeredPerSecond(), s.achievedPerSecond(), s.p50(), s.p99(), s.errors(), s.holds(bound) ? "ok" : "over");
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
