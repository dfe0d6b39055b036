package io.samtykke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.PostgresServer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * The benchmarks of the whole cluster ({@link BenchCluster}: consent-, preference- and audit-service on one PostgreSQL
 * and Kafka), in this order, each adding its rows to the {@link Report}:
 * <ol>
 *   <li>{@code cluster}: the max one-change write rate within the write p99 bound while audit-service and the
 *       preference projection keep up (a step holds only if both consumers' lag is back to zero within
 *       {@code bench.drain.seconds} after it); the row is finished by {@link ThroughputBench} with the JDBC baseline;</li>
 *   <li>{@code audit}: audit-service stopped while 10,000 grants are written at that max rate, then started again: its
 *       ingest rate draining the backlog ÷ the max write rate, and the age of its latest signed checkpoint during the
 *       best write step and the drain;</li>
 *   <li>{@code batch}: one decision request for those 10,000 people against the projection's SELECT of the same rows;</li>
 *   <li>{@code withdrawal}: withdrawals at half the max write rate, timed from each one's due time to the event on the
 *       opt-outs topic (a plain consumer) and to a decision answering DENY (polled);</li>
 *   <li>{@code verifier}: the offline verifier over an NDJSON export of the log, against SHA-256 over the same bytes;</li>
 *   <li>{@code startup}: each service's launch-to-ready time and resident memory after warm-up and after the load.</li>
 * </ol>
 */
final class ClusterBench {

    static final Set<String> KEYS = Set.of("cluster", "audit", "batch", "withdrawal", "verifier", "startup");

    private static final String TENANT = "bench";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 10_000;

    private final PostgresServer pg;
    private final Report report;
    private final Set<String> only;
    private final Duration step;
    private final int connections;
    private final double writeBound;
    private final int bisections;
    private final Duration drain;
    private BenchCluster cluster;
    private String app;
    private String marketing;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Map<OpenLoop.Step, StepLag> stepLags = new IdentityHashMap<>();

    /** The best step of the whole-cluster write search and its consumers' lag. */
    OpenLoop.Search writeSearch;
    StepLag writeLag;

    record Sample(long epochMillis, long auditLag, long projectionLag, double uncoveredAgeMillis) {
    }

    /**
     * The consumers during one step: max lag in records, the max age of the oldest log entry no signed checkpoint
     * covers yet, and how long after the step both consumers were at zero again (-1: not within the drain time).
     */
    record StepLag(double offeredPerSecond, long maxAuditLag, long maxProjectionLag, double maxUncoveredAgeMillis,
                   long drainedAfterMillis) {
    }

    ClusterBench(PostgresServer pg, Report report, Set<String> only, Duration step, int connections, double writeBound,
                 int bisections, Duration drain) {
        this.pg = pg;
        this.report = report;
        this.only = only;
        this.step = step;
        this.connections = connections;
        this.writeBound = writeBound;
        this.bisections = bisections;
        this.drain = drain;
    }

    void run() throws Exception {
        System.out.println("starting consent-, preference- and audit-service at once ...");
        cluster = BenchCluster.start(pg);
        cluster.startToReady.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %s ready %.2f s after launch%n", k, v.toMillis() / 1000.0));
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = null;
        try (ConsumerLag lag = lag()) {
            String admin = cluster.tokens.mint(TENANT, "admin", "admin");
            app = cluster.tokens.mint(TENANT, "app", "app");
            marketing = cluster.tokens.mint(TENANT, "crm", "marketing");
            ThroughputBench.expect(ThroughputBench.send(consentUrl("/v1/purposes/newsletter"), admin, "PUT",
                    "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
            ThroughputBench.expect(ThroughputBench.send(consentUrl("/v1/purposes/newsletter/notices"), admin, "POST",
                    "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}"), 201);
            sampler = startSampler(sampling);

            int subjects = 10_000;
            IntFunction<OpenLoop.Op> write = c -> i -> ThroughputBench.expect(ThroughputBench.send(consentUrl("/v1/subjects/user-"
                    + (i % subjects) + "/consents"), app, "POST", (i / subjects) % 2 == 0 ? ThroughputBench.GRANT : ThroughputBench.WITHDRAW), 201);
            System.out.println("warming up the cluster ...");
            OpenLoop.run(write, connections, 100, Duration.ofSeconds(Math.max(5, step.toSeconds())));
            awaitDrained(lag, Duration.ofSeconds(60));
            Map<String, Double> rssWarm = rss();

            System.out.println("whole-cluster write (a step holds only if audit and projection drain within " + drain.toSeconds() + " s):");
            writeSearch = OpenLoop.findMax("whole-cluster write (service)", write, connections, 100, writeBound, step, bisections,
                    s -> checkConsumers(lag, s));
            report.searches.add(writeSearch);
            writeLag = writeSearch.best() == null ? null : stepLags.get(writeSearch.best());
            List<StepLag> steps = new ArrayList<>(stepLags.values());
            steps.sort(java.util.Comparator.comparingDouble(StepLag::offeredPerSecond));
            report.details.put("cluster", Map.of("steps", steps, "best", writeLag == null ? "none" : writeLag));
            // the rows below are about the cluster under write load: when no rate held, they still run, at 20 writes/s
            double maxRate = Math.max(20, Report.rate(writeSearch));

            if (only.contains("audit") || only.contains("batch") || only.contains("withdrawal")) {
                backlogAndBatch(lag, maxRate);
            }
            if (only.contains("withdrawal")) {
                withdrawals(maxRate / 2);
            }
            if (only.contains("verifier")) {
                verifier();
            }
            if (only.contains("startup")) {
                startup(rssWarm, rss());
            }
        } finally {
            sampling.set(false);
            if (sampler != null) {
                sampler.join();
            }
            cluster.close();
        }
    }

    private ConsumerLag lag() throws Exception {
        return new ConsumerLag(KafkaBroker.shared().bootstrapServers(), BenchCluster.AUDIT_GROUP, pg.jdbcUrl(cluster.preferenceDb),
                pg.jdbcUrl(cluster.auditDb), pg.user(), pg.password());
    }

    private String consentUrl(String path) {
        return cluster.service(BenchCluster.CONSENT).url(path);
    }

    private String preferenceUrl(String path) {
        return cluster.service(BenchCluster.PREFERENCE).url(path);
    }

    /** Samples the consumers' lag and the checkpoint age every 250 ms, with the wall-clock time, until told to stop. */
    private Thread startSampler(AtomicBoolean running) {
        Thread t = new Thread(() -> {
            try (ConsumerLag lag = lag()) {
                while (running.get()) {
                    samples.add(new Sample(System.currentTimeMillis(), lag.audit(), lag.projection(), lag.uncoveredAgeMillis()));
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                System.err.println("lag sampler stopped: " + e);
            }
        }, "lag-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private List<Sample> between(long fromEpochMillis, long toEpochMillis) {
        return samples.stream().filter(s -> s.epochMillis() >= fromEpochMillis && s.epochMillis() <= toEpochMillis).toList();
    }

    /** After a write step: its consumers' max lag, then whether both are back at zero within the drain time. */
    private boolean checkConsumers(ConsumerLag lag, OpenLoop.Step s) throws Exception {
        List<Sample> during = between(s.startEpochMillis(), s.endEpochMillis());
        long drainedAfter = awaitDrained(lag, drain);
        StepLag l = new StepLag(s.offeredPerSecond(), during.stream().mapToLong(Sample::auditLag).max().orElse(-1),
                during.stream().mapToLong(Sample::projectionLag).max().orElse(-1),
                during.stream().mapToDouble(Sample::uncoveredAgeMillis).max().orElse(-1),
                drainedAfter < 0 ? -1 : drainedAfter);
        stepLags.put(s, l);
        System.out.printf(Locale.ROOT, "    consumers: max lag audit %d, projection %d records; oldest entry without a checkpoint max %.0f ms; %s%n",
                l.maxAuditLag(), l.maxProjectionLag(), l.maxUncoveredAgeMillis(),
                drainedAfter < 0 ? "NOT drained within " + drain.toSeconds() + " s" : "drained " + drainedAfter + " ms after the step");
        if (drainedAfter < 0) {
            awaitDrained(lag, Duration.ofSeconds(120)); // the next step starts from empty queues
        }
        return drainedAfter >= 0;
    }

    /** Milliseconds until both consumers' lag is zero, or -1 if that takes longer than {@code atMost}. */
    private static long awaitDrained(ConsumerLag lag, Duration atMost) throws Exception {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < atMost.toNanos()) {
            if (lag.audit() == 0 && lag.projection() == 0) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /**
     * audit-service stopped while {@value #BATCH} people are granted the newsletter at the max write rate (the batch
     * decision's subjects), then started again: it drains that backlog while nothing else is written.
     */
    private void backlogAndBatch(ConsumerLag lag, double maxRate) throws Exception {
        boolean stopAudit = only.contains("audit");
        long before;
        int auditPort = 0;
        try (Connection audit = DriverManager.getConnection(pg.jdbcUrl(cluster.auditDb), pg.user(), pg.password())) {
            before = entries(audit);
            if (stopAudit) {
                System.out.println("stopping audit-service; granting " + BATCH + " people at the max write rate ...");
                auditPort = cluster.stop(BenchCluster.AUDIT);
            } else {
                System.out.println("granting " + BATCH + " people at the max write rate ...");
            }
            IntFunction<OpenLoop.Op> grant = c -> i -> {
                if (i < BATCH) {
                    ThroughputBench.expect(ThroughputBench.send(consentUrl("/v1/subjects/batch-" + i + "/consents"), app, "POST",
                            ThroughputBench.GRANT), 201);
                }
            };
            OpenLoop.Step granted = OpenLoop.run(grant, connections, maxRate, lasting(BATCH, maxRate));
            System.out.printf(Locale.ROOT, "  %d grants at %.0f/s offered, %.0f/s achieved, %d errors%n", granted.done(),
                    granted.offeredPerSecond(), granted.achievedPerSecond(), granted.errors());
            if (stopAudit) {
                Instant restarted = Instant.now();
                Duration ready = cluster.launch(BenchCluster.AUDIT, auditPort);
                System.out.printf(Locale.ROOT, "  audit-service started again: ready %.2f s after launch; draining ...%n", ready.toMillis() / 1000.0);
                awaitDrained(lag, Duration.ofSeconds(300));
                auditIngest(audit, before, restarted, ready, maxRate);
            } else {
                awaitDrained(lag, Duration.ofSeconds(120));
            }
        }
        if (only.contains("batch")) {
            batch();
        }
    }

    private static long entries(Connection audit) throws Exception {
        try (ResultSet rs = audit.createStatement().executeQuery("select count(*) from audit_entry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void auditIngest(Connection audit, long before, Instant restarted, Duration ready, double maxRate) throws Exception {
        long count;
        Instant first;
        Instant last;
        try (PreparedStatement s = audit.prepareStatement("select count(*), min(received_at), max(received_at) from audit_entry where received_at >= ?")) {
            s.setTimestamp(1, Timestamp.from(restarted));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                count = rs.getLong(1);
                first = rs.getTimestamp(2).toInstant();
                last = rs.getTimestamp(3).toInstant();
            }
        }
        double seconds = Math.max(1e-3, Duration.between(first, last).toNanos() / 1e9);
        double rate = count / seconds;
        double ratio = rate / maxRate;
        double drainAge = between(first.toEpochMilli(), last.toEpochMilli() + 2000).stream().mapToDouble(Sample::uncoveredAgeMillis).max().orElse(-1);
        double writeAge = writeLag == null ? -1 : writeLag.maxUncoveredAgeMillis();
        report.details.put("audit", Map.of("backlogEntries", count, "entriesBefore", before, "drainSeconds", seconds,
                "entriesPerSecond", rate, "restartReadySeconds", ready.toMillis() / 1000.0,
                "maxUncoveredEntryAgeMsDuringBestWriteStep", writeAge, "maxUncoveredEntryAgeMsDuringDrain", drainAge));
        report.add("audit", new Report.Row("audit ingest (draining a backlog of " + String.format(Locale.ROOT, "%,d", count) + " entries)",
                String.format(Locale.ROOT, "%,.0f entries/s", rate), rate,
                String.format(Locale.ROOT, "max whole-cluster write rate: %,.0f/s", maxRate), maxRate, ratio, ">= 1.00x", ratio >= 1.0));
        double age = Math.max(writeAge, drainAge);
        report.add("audit", new Report.Row("signed checkpoint behind the log head: age of the oldest entry it does not cover yet (sampled every 250 ms)",
                String.format(Locale.ROOT, "max %.0f ms during the best write step, %.0f ms during the drain", writeAge, drainAge), age,
                "bound: 1 s", 1000, Double.NaN, "<= 1 s", age >= 0 && age <= 1000));
        report.bars("audit ingest vs max write rate", "per second", new LinkedHashMap<>(Map.of(
                "audit ingest (entries/s)", rate, "max write rate (writes/s)", maxRate)));
    }

    /** One decision request for the {@value #BATCH} granted people against the projection's SELECT of the same rows. */
    private void batch() throws Exception {
        int repeats = Integer.getInteger("bench.batch.repeats", 10);
        List<String> ids = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            ids.add("batch-" + i);
        }
        String body = JSON.writeValueAsString(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectIds", ids));
        long[] service = new long[repeats];
        long[] sql = new long[repeats];
        try (Connection preference = DriverManager.getConnection(pg.jdbcUrl(cluster.preferenceDb), pg.user(), pg.password());
             PreparedStatement select = preference.prepareStatement("""
                     select subject_id, state, subject_seq, event_id, notice_version, expires_at, changed_at
                     from consent_projection where tenant_id = ? and purpose = ? and subject_id = any(?)""")) {
            for (int r = -3; r < repeats; r++) { // three to warm up
                long t0 = System.nanoTime();
                HttpResponse<String> answer = ThroughputBench.send(preferenceUrl("/v1/decisions"), marketing, "POST", body);
                long t1 = System.nanoTime();
                ThroughputBench.expect(answer, 200);
                JsonNode decisions = JSON.readTree(answer.body()).path("decisions");
                long allowed = 0;
                for (JsonNode d : decisions) {
                    allowed += "ALLOW".equals(d.path("decision").asText()) ? 1 : 0;
                }
                if (allowed != BATCH) {
                    throw new IllegalStateException("the batch decision allowed " + allowed + " of " + BATCH);
                }
                long t2 = System.nanoTime();
                select.setString(1, TENANT);
                select.setString(2, "newsletter");
                select.setArray(3, preference.createArrayOf("text", ids.toArray()));
                int rows = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                        rs.getString(2);
                        rs.getLong(3);
                        rs.getObject(4);
                        rs.getString(5);
                        rs.getTimestamp(6);
                        rs.getTimestamp(7);
                        rows++;
                    }
                }
                long t3 = System.nanoTime();
                if (rows != BATCH) {
                    throw new IllegalStateException("the projection has " + rows + " of " + BATCH + " rows");
                }
                if (r >= 0) {
                    service[r] = t1 - t0;
                    sql[r] = t3 - t2;
                }
            }
        }
        double ours = WithdrawalBench.pct(service, 50);
        double base = WithdrawalBench.pct(sql, 50);
        double ratio = base / ours;
        report.details.put("batch", Map.of("repeats", repeats, "serviceP50Ms", ours, "serviceMaxMs", WithdrawalBench.pct(service, 100),
                "sqlP50Ms", base, "sqlMaxMs", WithdrawalBench.pct(sql, 100)));
        report.add("batch", new Report.Row("batch decision, " + String.format(Locale.ROOT, "%,d", BATCH) + " subjects (p50 of " + repeats + ")",
                String.format(Locale.ROOT, "%.1f ms", ours), ours, String.format(Locale.ROOT, "one SQL query over JDBC, same rows: %.1f ms", base),
                base, ratio, ">= 0.50x (time baseline/ours)", ratio >= 0.5));
        report.bars("batch decision 10000 subjects", "ms (p50)", new LinkedHashMap<>(Map.of("decision API", ours, "one SQL query", base)));
    }

    /**
     * Withdrawals of the batch people at {@code rate}, open loop for {@code bench.withdrawal.seconds}; from each one's due time until a plain consumer sees
     * it on the opt-outs topic, and until a decision for that person answers DENY (pollers ask for everyone pending in
     * one batch request, back to back; a flip counts at the middle of the call that first said DENY).
     */
    private void withdrawals(double rate) throws Exception {
        // at least 10 s of withdrawals, so that the p99 rests on a few hundred of them even in a quick run
        long seconds = Long.getLong("bench.withdrawal.seconds", Math.max(10, step.toSeconds()));
        int n = (int) Math.min(BATCH, Math.max(50, rate * seconds));
        Duration duration = lasting(n, rate);
        long[] due = new long[n];
        Arrays.fill(due, -1);
        Map<Integer, Long> onTopic = new ConcurrentHashMap<>();
        Map<Integer, Long> denied = new ConcurrentHashMap<>();
        Set<Integer> pending = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread consumer = optOutConsumer(running, onTopic);
        List<Thread> pollers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            pollers.add(decisionPoller(running, pending, denied));
        }
        IntFunction<OpenLoop.Op> withdraw = c -> OpenLoop.timed((i, dueNanos) -> {
            if (i >= n) {
                return;
            }
            due[i] = dueNanos;
            pending.add(i);
            ThroughputBench.expect(ThroughputBench.send(consentUrl("/v1/subjects/batch-" + i + "/consents"), app, "POST",
                    ThroughputBench.WITHDRAW), 201);
        });
        System.out.printf(Locale.ROOT, "withdrawals at half the max write rate (%.0f/s, %d people) ...%n", rate, n);
        OpenLoop.Step s = OpenLoop.run(withdraw, connections, rate, duration);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((onTopic.size() < n || denied.size() < n) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        running.set(false);
        consumer.join();
        for (Thread t : pollers) {
            t.join();
        }
        Histogram topic = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram flip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int i = 0; i < n; i++) {
            Long seen = onTopic.get(i);
            Long deny = denied.get(i);
            // one never seen within the wait counts as the whole wait: it is late, not absent from the tail
            topic.recordValue(Math.min(TimeUnit.SECONDS.toNanos(60), Math.max(0, (seen == null ? deadline : seen) - due[i])));
            flip.recordValue(Math.min(TimeUnit.SECONDS.toNanos(60), Math.max(0, (deny == null ? deadline : deny) - due[i])));
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("ratePerSecond", rate);
        detail.put("withdrawals", n);
        detail.put("step", s);
        detail.put("onTopic", percentiles(topic, onTopic.size()));
        detail.put("decisionDeny", percentiles(flip, denied.size()));
        report.details.put("withdrawal", detail);
        for (var r : List.of(Map.entry("opt-outs topic (plain consumer)", topic), Map.entry("decision API says DENY (polled)", flip))) {
            double p99 = r.getValue().getValueAtPercentile(99) / 1e6;
            report.add("withdrawal", new Report.Row(String.format(Locale.ROOT, "withdrawal → %s at %.0f/s (half the max write rate)",
                    r.getKey(), rate), String.format(Locale.ROOT, "p99 %.1f ms (p50 %.1f ms) from the due time", p99,
                    r.getValue().getValueAtPercentile(50) / 1e6), p99, "bound: p99 100 ms", 100, Double.NaN, "p99 <= 100 ms",
                    p99 <= 100 && s.errors() == 0));
        }
        report.bars("withdrawal propagation p99", "ms from the due time", new LinkedHashMap<>(Map.of(
                "opt-outs topic", topic.getValueAtPercentile(99) / 1e6, "decision DENY", flip.getValueAtPercentile(99) / 1e6)));
    }

    /** A step long enough for {@code n} requests at {@code rate} (the loop sends floor(duration × rate); the op skips extras). */
    private static Duration lasting(int n, double rate) {
        return Duration.ofNanos((long) Math.ceil(n * 1e9 / rate) + 1_000_000);
    }

    private static Map<String, Object> percentiles(Histogram h, int seen) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seen", seen);
        for (double p : new double[]{50, 90, 99, 99.9, 100}) {
            m.put("p" + p, h.getValueAtPercentile(p) / 1e6);
        }
        return m;
    }

    /** A plain consumer of the opt-outs topic from its end; notes when each batch person's withdrawal arrives. */
    private static Thread optOutConsumer(AtomicBoolean running, Map<Integer, Long> seen) throws Exception {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> all = c.partitionsFor(Topics.CONSENT_OPTOUTS).stream()
                .map(p -> new TopicPartition(Topics.CONSENT_OPTOUTS, p.partition())).toList();
        c.assign(all);
        c.seekToEnd(all);
        all.forEach(c::position);
        Thread t = new Thread(() -> {
            try (c) {
                while (running.get()) {
                    for (var r : c.poll(Duration.ofMillis(20))) {
                        long at = System.nanoTime();
                        String subject = JSON.readTree(r.value()).path("subjectId").asText();
                        if (subject.startsWith("batch-")) {
                            seen.putIfAbsent(Integer.parseInt(subject.substring(6)), at);
                        }
                    }
                }
            } catch (Exception e) {
                System.err.println("opt-outs consumer stopped: " + e);
            }
        }, "opt-outs-consumer");
        t.start();
        return t;
    }

    private Thread decisionPoller(AtomicBoolean running, Set<Integer> pending, Map<Integer, Long> denied) {
        Thread t = new Thread(() -> {
            try {
                while (running.get()) {
                    List<Integer> ask = pending.stream().limit(BATCH).toList();
                    if (ask.isEmpty()) {
                        Thread.sleep(1);
                        continue;
                    }
                    String body = JSON.writeValueAsString(Map.of("channel", "EMAIL", "purpose", "newsletter",
                            "subjectIds", ask.stream().map(i -> "batch-" + i).toList()));
                    long asked = System.nanoTime();
                    HttpResponse<String> answer = ThroughputBench.send(preferenceUrl("/v1/decisions"), marketing, "POST", body);
                    long answered = System.nanoTime();
                    ThroughputBench.expect(answer, 200);
                    for (JsonNode d : JSON.readTree(answer.body()).path("decisions")) {
                        if ("DENY".equals(d.path("decision").asText())) {
                            int i = Integer.parseInt(d.path("subjectId").asText().substring(6));
                            if (pending.remove(i)) {
                                denied.putIfAbsent(i, asked + (answered - asked) / 2);
                            }
                        }
                    }
                }
            } catch (Exception e) {
                System.err.println("decision poller stopped: " + e);
            }
        }, "decision-poller");
        t.start();
        return t;
    }

    /** The offline verifier over an NDJSON export of the tenant's log, against SHA-256 over the same bytes. */
    private void verifier() throws Exception {
        String auditor = cluster.tokens.mint(TENANT, "bench-auditor", "auditor");
        HttpResponse<String> key = ThroughputBench.send(cluster.service(BenchCluster.AUDIT).url("/v1/public-key"), auditor, "GET", null);
        ThroughputBench.expect(key, 200);
        NoteKey publicKey = NoteKey.verifier(key.body());
        HttpResponse<byte[]> export = ThroughputBench.HTTP.send(HttpRequest.newBuilder(URI.create(cluster.service(BenchCluster.AUDIT)
                .url("/v1/export?format=ndjson"))).header("Authorization", "Bearer " + auditor).timeout(Duration.ofMinutes(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (export.statusCode() != 200) {
            throw new IllegalStateException("export answered " + export.statusCode());
        }
        byte[] bytes = export.body();
        int repeats = Integer.getInteger("bench.verifier.repeats", 3);
        long verify = Long.MAX_VALUE;
        long sha = Long.MAX_VALUE;
        long entries = 0;
        for (int r = 0; r < repeats + 1; r++) { // the first of each warms up
            long t0 = System.nanoTime();
            ExportVerifier.Result result;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
                result = new ExportVerifier(publicKey, null).verify(in);
            }
            long t1 = System.nanoTime();
            if (!result.valid()) {
                throw new IllegalStateException("the export does not verify: " + result.message());
            }
            entries = result.entries();
            MessageDigest.getInstance("SHA-256").digest(bytes);
            long t2 = System.nanoTime();
            if (r > 0) {
                verify = Math.min(verify, t1 - t0);
                sha = Math.min(sha, t2 - t1);
            }
        }
        double mb = bytes.length / 1e6;
        double verifyMbs = mb / (verify / 1e9);
        double shaMbs = mb / (sha / 1e9);
        double ratio = (double) sha / verify;
        report.details.put("verifier", Map.of("entries", entries, "megabytes", mb, "verifySeconds", verify / 1e9, "sha256Seconds", sha / 1e9,
                "repeats", repeats));
        report.add("verifier", new Report.Row(String.format(Locale.ROOT, "audit-verifier over an export of %,d entries (%.0f MB), best of %d",
                entries, mb, repeats), String.format(Locale.ROOT, "%.0f MB/s (%,.0f entries/s)", verifyMbs, entries / (verify / 1e9)),
                verifyMbs, String.format(Locale.ROOT, "SHA-256 over the same bytes, same JVM: %.0f MB/s", shaMbs), shaMbs, ratio,
                ">= 0.10x (informational)", ratio >= 0.1));
        report.bars("audit-verifier vs SHA-256", "MB/s", new LinkedHashMap<>(Map.of("audit-verifier", verifyMbs, "SHA-256", shaMbs)));
    }

    private Map<String, Double> rss() throws Exception {
        Map<String, Double> rss = new LinkedHashMap<>();
        for (String s : List.of(BenchCluster.CONSENT, BenchCluster.PREFERENCE, BenchCluster.AUDIT)) {
            rss.put(s, cluster.rssMb(s));
        }
        return rss;
    }

    /**
     * Each service's launch-to-ready, when the three are launched at once (PostgreSQL and Kafka already up: an
     * orchestrator's cold start, the three competing for the cores) and when it alone is restarted with the rest of the
     * cluster up (its dependencies up, nothing else starting: the figure the per-service target is about), and its
     * resident memory after warm-up and after the load.
     */
    private void startup(Map<String, Double> rssWarm, Map<String, Double> rssLoaded) throws Exception {
        Map<String, Long> alone = new LinkedHashMap<>();
        for (String s : rssWarm.keySet()) {
            alone.put(s, cluster.launch(s, cluster.stop(s)).toMillis());
        }
        report.details.put("startup", Map.of("startToReadyMsAllAtOnce", cluster.startToReady.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toMillis())),
                "startToReadyMsAlone", alone, "rssMbAfterWarmUp", rssWarm, "rssMbAfterLoad", rssLoaded));
        Map<String, Double> bars = new LinkedHashMap<>();
        for (String s : rssWarm.keySet()) {
            double together = cluster.startToReady.get(s).toMillis() / 1000.0;
            double ready = alone.get(s) / 1000.0;
            bars.put(s + " alone", ready);
            bars.put(s + " all at once", together);
            report.add("startup", new Report.Row(s + ": start to ready, resident memory",
                    String.format(Locale.ROOT, "ready %.1f s after launch (%.1f s when all three start at once); RSS %.0f MB after"
                            + " warm-up, %.0f MB after the load", ready, together, rssWarm.get(s), rssLoaded.get(s)), ready,
                    "restarted alone, its dependencies up", 0, Double.NaN, "ready <= 3 s", ready <= 3));
        }
        double all = cluster.startToReady.get("cluster").toMillis() / 1000.0;
        report.add("startup", new Report.Row("whole cluster: start to ready", String.format(Locale.ROOT,
                "%.1f s from launching all three at once until all answer ready", all), all,
                "PostgreSQL and Kafka already up", 0, Double.NaN, "<= 15 s", all <= 15));
        report.bars("start to ready", "seconds", bars);
        Map<String, Double> memory = new LinkedHashMap<>();
        rssWarm.forEach((service, mb) -> memory.put(service + " after warm-up", mb));
        rssLoaded.forEach((service, mb) -> memory.put(service + " after the load", mb));
        report.bars("resident memory", "MB (VmRSS)", memory);
    }
}
