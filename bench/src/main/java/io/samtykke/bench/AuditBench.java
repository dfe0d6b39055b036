package io.samtykke.bench;

import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * audit-service at scale, each figure next to a baseline measured in the same run on the same machine:
 * <ol>
 *   <li>ingestion: {@code bench.entries} consent events (default 1,000,000) waiting on Kafka are drained into one
 *       tenant's log (seal, number, hash, store, checkpoint), against the same number of rows of the same size
 *       inserted over plain JDBC in batches of the same size;</li>
 *   <li>checkpoint lag: at a steady {@code bench.steady.rate} events per second, how long after an entry is stored a
 *       signed checkpoint covers it (and during the backlog);</li>
 *   <li>export: the whole million streamed as NDJSON and CSV by a service capped at 256 MB of heap, against
 *       {@code COPY ... TO STDOUT} of the same rows over JDBC; then the offline verifier checks the export.</li>
 * </ol>
 */
public final class AuditBench {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String DB = "audit";
    private static final String TENANT = "bench";
    private static final String STEADY = "steady";
    private static final String APP_PASSWORD = "audit-bench";

    public static void main(String[] args) throws Exception {
        long n = Long.getLong("bench.entries", 1_000_000L);
        long baselineRows = Long.getLong("bench.baseline.rows", 200_000L);
        int steadyRate = Integer.getInteger("bench.steady.rate", 500);
        int steadySeconds = Integer.getInteger("bench.steady.seconds", 30);
        Path work = Files.createTempDirectory("samtykke-bench-audit");
        System.out.printf(Locale.ROOT, "audit bench: %,d entries; steady load %d/s for %d s; work folder %s%n", n, steadyRate,
                steadySeconds, work);

        try (PostgresServer pg = PostgresServer.persistent(work.resolve("postgres"), 0)) {
            pg.ensureDatabase(DB);
            String bootstrap = KafkaBroker.shared().bootstrapServers();
            long t0 = System.nanoTime();
            produce(bootstrap, TENANT, n, 0);
            System.out.printf(Locale.ROOT, "produced %,d events to %s in %.1f s%n", n, Topics.CONSENT_EVENTS, secondsSince(t0));

            Path key = Files.writeString(work.resolve("signing-key.pem"), Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
            Map<String, String> settings = ServiceProcess.asAuditService(new HashMap<>(ServiceProcess.settingsFor(pg, DB)),
                    pg, APP_PASSWORD, key);

            try (ServiceProcess audit = ServiceProcess.start("audit-service", ServiceProcess.freePort(), settings);
                 Connection jdbc = DriverManager.getConnection(pg.jdbcUrl(DB), pg.user(), pg.password())) {
                Ingest ingest = awaitIngest(jdbc, TENANT, n);
                Duration backlogLag = awaitCheckpoint(jdbc, TENANT, n);
                Metrics backlogMetrics = Metrics.of(get(audit, "/q/metrics", null));
                double raw = baselineInserts(jdbc, baselineRows);

                produce(bootstrap, STEADY, (long) steadyRate * steadySeconds, steadyRate);
                awaitIngest(jdbc, STEADY, (long) steadyRate * steadySeconds);
                awaitCheckpoint(jdbc, STEADY, (long) steadyRate * steadySeconds);
                List<Double> steadyLags = lags(jdbc, STEADY);

                String token = Tokens.forTests().mint(TENANT, "bench-auditor", "auditor");
                NoteKey publicKey = NoteKey.verifier(get(audit, "/v1/public-key", token));
                Path ndjson = work.resolve("export.ndjson");
                Export ndjsonExport = export(audit, token, "ndjson", ndjson);
                Export csvExport = export(audit, token, "csv", work.resolve("export.csv"));
                Export copy = copyBaseline(jdbc);

                long v0 = System.nanoTime();
                ExportVerifier.Result verified;
                try (BufferedReader in = Files.newBufferedReader(ndjson, StandardCharsets.UTF_8)) {
                    verified = new ExportVerifier(publicKey, null).verify(in);
                }
                double verifySeconds = secondsSince(v0);

                System.out.println();
                System.out.println("ingestion (backlog of " + String.format(Locale.ROOT, "%,d", n) + " events on Kafka, one tenant)");
                System.out.printf(Locale.ROOT, "  audit-service, first to last entry stored   %,10.0f entries/s  (%.1f s)%n",
                        ingest.rate(), ingest.seconds());
                System.out.printf(Locale.ROOT, "  baseline: same-size rows, JDBC batches      %,10.0f rows/s%n", raw);
                System.out.printf(Locale.ROOT, "  ratio service/baseline                      %10.2f%n", ingest.rate() / raw);
                System.out.println("checkpoint lag (entry stored -> signed checkpoint covering it stored)");
                System.out.printf(Locale.ROOT, "  steady %d events/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d checkpoints%n", steadyRate,
                        percentile(steadyLags, 0.5), percentile(steadyLags, 0.99), percentile(steadyLags, 1.0), steadyLags.size());
                System.out.printf(Locale.ROOT, "  during the backlog: mean %.0f ms, max %.0f ms over %d checkpoints; last entry -> final checkpoint %d ms%n",
                        backlogMetrics.lagMeanMillis(), backlogMetrics.lagMaxMillis(), backlogMetrics.checkpoints(), backlogLag.toMillis());
                System.out.println("export of " + String.format(Locale.ROOT, "%,d", n) + " entries (service heap capped at 256 MB)");
                print("NDJSON via audit-service", ndjsonExport, copy);
                print("CSV via audit-service", csvExport, copy);
                print("baseline: COPY of the rows over JDBC", copy, copy);
                System.out.printf(Locale.ROOT, "  service heap while exporting: at most %.0f MB used (garbage included), at most %.0f MB"
                        + " still live after a collection%n", ndjsonExport.maxHeapMb(), ndjsonExport.maxLiveMb());
                System.out.printf(Locale.ROOT, "offline verification of the NDJSON export: %s in %.1f s (%,.0f entries/s)%n",
                        verified.valid() ? "valid" : "INVALID: " + verified.message(), verifySeconds, verified.entries() / verifySeconds);
            }
        }
        System.exit(0); // the in-process Kafka broker's threads would keep the JVM alive
    }

    private record Ingest(double seconds, double rate) {
    }

    private record Export(double seconds, long bytes, double maxHeapMb, double maxLiveMb) {
    }

    /** Produces {@code count} consent events of {@code tenant}, as fast as possible or at {@code perSecond}. */
    private static void produce(String bootstrap, String tenant, long count, int perSecond) throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 262_144), new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                if (perSecond > 0) {
                    long due = start + i * 1_000_000_000L / perSecond;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
                ConsentEvent e = event(tenant, "person-" + (i % 100_000), i / 100_000 + 1, i);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.CONSENT_EVENTS, e.partitionKey(),
                        EventJson.write(e).getBytes(StandardCharsets.UTF_8));
                CloudEventHeaders.forEvent(e, "/samtykke/consent-service", null).forEach((k, v) -> r.headers().add(k, v));
                producer.send(r, (meta, error) -> {
                    if (error != null) {
                        failed.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    private static ConsentEvent event(String tenant, String subject, long seq, long i) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ConsentState state = i % 3 == 0 ? ConsentState.WITHDRAWN : ConsentState.GRANTED;
        return new ConsentEvent(UUID.randomUUID(), tenant, subject, seq, UUID.randomUUID(), i % 2 == 0 ? "newsletter" : "ride-offers-push",
                i % 2 == 0 ? Channel.EMAIL : Channel.PUSH, PurposeCategory.MARKETING, LegalBasis.CONSENT,
                state == ConsentState.GRANTED ? ConsentAction.GRANT : ConsentAction.WITHDRAW, ConsentState.NONE, state,
                new ConsentEvent.Notice("v3", "da", "a".repeat(64), "https://example.dk/privacy/v3", false),
                new ConsentEvent.Evidence(new ConsentEvent.Source("taxa-app", "ios", "5.2.0", "settings"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, subject), "da", "192.0.2.0/24", "TaxaApp/5.2 (iPhone; iOS 17.4)"),
                now, now, null);
    }

    private static Ingest awaitIngest(Connection jdbc, String tenant, long n) throws Exception {
        long lastReport = System.nanoTime();
        while (count(jdbc, tenant) < n) {
            Thread.sleep(250);
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                System.out.printf(Locale.ROOT, "  %s: %,d of %,d entries stored%n", tenant, count(jdbc, tenant), n);
                lastReport = System.nanoTime();
            }
        }
        try (PreparedStatement s = jdbc.prepareStatement("select min(received_at), max(received_at) from audit_entry where tenant_id = ?")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                double seconds = Duration.between(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()).toNanos() / 1e9;
                return new Ingest(seconds, n / Math.max(seconds, 1e-3));
            }
        }
    }

    private static long count(Connection jdbc, String tenant) throws Exception {
        try (PreparedStatement s = jdbc.prepareStatement("select coalesce((select next_seq from audit_sequence where tenant_id = ?), 0)")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Waits for the checkpoint of size {@code n}; the time from the last entry stored to it. */
    private static Duration awaitCheckpoint(Connection jdbc, String tenant, long n) throws Exception {
        while (true) {
            try (PreparedStatement s = jdbc.prepareStatement("""
                    select c.created_at, (select max(received_at) from audit_entry where tenant_id = c.tenant_id)
                    from audit_checkpoint c where c.tenant_id = ? and c.tree_size = ?""")) {
                s.setString(1, tenant);
                s.setLong(2, n);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return Duration.between(rs.getTimestamp(2).toInstant(), rs.getTimestamp(1).toInstant());
                    }
                }
            }
            Thread.sleep(100);
        }
    }

    /** Per checkpoint: from the first entry it added being stored to the checkpoint being stored, in ms. */
    private static List<Double> lags(Connection jdbc, String tenant) throws Exception {
        List<Double> lags = new ArrayList<>();
        try (PreparedStatement s = jdbc.prepareStatement("""
                select extract(epoch from c.created_at - e.received_at) * 1000
                from (select tenant_id, tree_size, created_at,
                             coalesce(lag(tree_size) over (partition by tenant_id order by tree_size), 0) as from_size
                      from audit_checkpoint where tenant_id = ?) c
                join audit_entry e on e.tenant_id = c.tenant_id and e.seq = c.from_size""")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    lags.add(rs.getDouble(1));
                }
            }
        }
        lags.sort(Double::compare);
        return lags;
    }

    /** Rows of the size the service stores, inserted over JDBC in transactions of 500: the floor of any ingest. */
    private static double baselineInserts(Connection jdbc, long rows) throws Exception {
        int entryBytes;
        try (Statement s = jdbc.createStatement();
             ResultSet rs = s.executeQuery("select avg(length(entry))::int from audit_entry where tenant_id = '" + TENANT + "'")) {
            rs.next();
            entryBytes = rs.getInt(1);
        }
        try (Statement s = jdbc.createStatement()) {
            s.execute("create table bench_raw (like audit_entry including defaults including constraints including indexes)");
        }
        SecureRandom random = new SecureRandom();
        byte[] entry = new byte[entryBytes];
        byte[] hash = new byte[32];
        jdbc.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (PreparedStatement insert = jdbc.prepareStatement("""
                insert into bench_raw (tenant_id, seq, event_id, topic, kafka_partition, kafka_offset, type, source, subject_ref,
                    purpose, event_time, received_at, entry, leaf_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            Timestamp now = Timestamp.from(Instant.now());
            for (long i = 0; i < rows; i++) {
                random.nextBytes(entry);
                random.nextBytes(hash);
                insert.setString(1, TENANT);
                insert.setLong(2, i);
                insert.setObject(3, UUID.randomUUID());
                insert.setString(4, Topics.CONSENT_EVENTS);
                insert.setInt(5, (int) (i % 4));
                insert.setLong(6, i);
                insert.setString(7, "io.samtykke.consent.granted.v1");
                insert.setString(8, "/samtykke/consent-service");
                insert.setString(9, Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
                insert.setString(10, "newsletter");
                insert.setTimestamp(11, now);
                insert.setTimestamp(12, now);
                insert.setBytes(13, entry);
                insert.setBytes(14, hash);
                insert.addBatch();
                if (i % 500 == 499) {
                    insert.executeBatch();
                    jdbc.commit();
                }
            }
            insert.executeBatch();
            jdbc.commit();
        } finally {
            jdbc.setAutoCommit(true);
        }
        return rows / secondsSince(t0);
    }

    /** Streams an export to a file while sampling the service's heap. */
    private static Export export(ServiceProcess audit, String token, String format, Path file) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong maxHeap = new AtomicLong();
        AtomicLong maxLive = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                try {
                    Metrics m = Metrics.of(get(audit, "/q/metrics", null));
                    maxHeap.accumulateAndGet((long) m.heapUsedBytes(), Math::max);
                    maxLive.accumulateAndGet((long) m.liveAfterGcBytes(), Math::max);
                    Thread.sleep(200);
                } catch (Exception e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.start();
        long t0 = System.nanoTime();
        HttpResponse<Path> response = HTTP.send(HttpRequest.newBuilder(URI.create(audit.url("/v1/export?format=" + format)))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofFile(file));
        double seconds = secondsSince(t0);
        done.set(true);
        sampler.join();
        if (response.statusCode() != 200) {
            throw new IllegalStateException("export answered " + response.statusCode() + ": " + Files.readString(file));
        }
        return new Export(seconds, Files.size(file), maxHeap.get() / 1e6, maxLive.get() / 1e6);
    }

    private static Export copyBaseline(Connection jdbc) throws Exception {
        AtomicLong bytes = new AtomicLong();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.addAndGet(len);
            }
        };
        long t0 = System.nanoTime();
        jdbc.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select seq, event_id, type, purpose, event_time, received_at,"
                + " entry, leaf_hash from audit_entry where tenant_id = '" + TENANT + "' order by seq) to stdout", counting);
        return new Export(secondsSince(t0), bytes.get(), 0, 0);
    }

    private static void print(String what, Export e, Export baseline) {
        System.out.printf(Locale.ROOT, "  %-40s %6.1f s  %,8.0f MB  %6.1f MB/s  ratio %.2f%n", what, e.seconds(), e.bytes() / 1e6,
                e.bytes() / 1e6 / e.seconds(), e.seconds() / baseline.seconds());
    }

    private static String get(ServiceProcess service, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + text);
            }
            return text;
        }
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The few Prometheus figures the bench reads. */
    private record Metrics(double heapUsedBytes, double liveAfterGcBytes, double lagMeanMillis, double lagMaxMillis, long checkpoints) {

        static Metrics of(String text) {
            double heap = sum(text, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} ([0-9.eE+-]+)");
            double live = sum(text, "jvm_gc_live_data_size_bytes[^ ]* ([0-9.eE+-]+)");
            double count = sum(text, "samtykke_audit_checkpoint_lag_seconds_count[^ ]* ([0-9.eE+-]+)");
            double total = sum(text, "samtykke_audit_checkpoint_lag_seconds_sum[^ ]* ([0-9.eE+-]+)");
            double max = sum(text, "samtykke_audit_checkpoint_lag_seconds_max[^ ]* ([0-9.eE+-]+)");
            return new Metrics(heap, live, count == 0 ? 0 : total / count * 1000, max * 1000, (long) count);
        }

        private static double sum(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            double total = 0;
            while (m.find()) {
                total += Double.parseDouble(m.group(1));
            }
            return total;
        }
    }
}
