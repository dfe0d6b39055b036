package io.samtykke.bench;

import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * Single-client latency of consent-service's write (grant/withdraw) and read (current state), each
 * next to a baseline measured in the same run on the same PostgreSQL: the same SQL statements in the
 * same transaction over plain JDBC, i.e. the floor any service on this database could reach. Then
 * loads {@code bench.records} history rows and measures the reads again to show they stay flat.
 */
public final class ConsentBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DB = "consent";

    public static void main(String[] args) throws Exception {
        int ops = Integer.getInteger("bench.ops", 2000);
        long bulk = Long.getLong("bench.records", 1_000_000L);
        Path data = Files.createTempDirectory("samtykke-bench-pg");
        System.out.printf("consent bench: %d ops per measurement, %,d history rows for the flat-read check%n", ops, bulk);

        try (PostgresServer pg = PostgresServer.persistent(data, 0)) {
            pg.ensureDatabase(DB);
            Map<String, String> settings = new java.util.HashMap<>(ServiceProcess.settingsFor(pg, DB));
            // one client sends faster than the default 500/s on a quiet machine: the bench measures latency, not the limiter
            settings.put("samtykke.rate-limit.defaults.requests-per-second", "1000000");
            settings.put("samtykke.rate-limit.defaults.burst", "1000000");
            try (ServiceProcess service = ServiceProcess.start("consent-service", ServiceProcess.freePort(), settings);
                 Connection jdbc = DriverManager.getConnection(pg.jdbcUrl(DB), pg.user(), pg.password())) {
                String tenant = "bench";
                String admin = Tokens.forTests().mint(tenant, "admin", "admin");
                String app = Tokens.forTests().mint(tenant, "app", "app");
                send(service, admin, "PUT", "/v1/purposes/newsletter",
                        "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}", 201);
                send(service, admin, "POST", "/v1/purposes/newsletter/notices",
                        "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}", 201);

                IntConsumer serviceWrite = i -> send(service, app, "POST", "/v1/subjects/user-" + (i % 100) + "/consents",
                        (i / 100) % 2 == 0
                                ? "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],\"evidence\":{\"source\":{\"appId\":\"bench\",\"platform\":\"ios\",\"appVersion\":\"1.0\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}"
                                : "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}", 201);
                Baseline baseline = new Baseline(jdbc);
                IntConsumer baselineWrite = i -> baseline.write("base-" + (i % 100), (i / 100) % 2 == 0);
                IntConsumer serviceRead = i -> send(service, app, "GET", "/v1/subjects/user-" + (i % 100) + "/consents", null, 200);
                IntConsumer baselineRead = i -> baseline.read("base-" + (i % 100));

                IntConsumer historyRead = i -> send(service, app, "GET", "/v1/subjects/user-" + (i % 100)
                        + "/consents/history?limit=20&order=desc", null, 200);
                IntConsumer atRead = i -> send(service, app, "GET", "/v1/subjects/user-" + (i % 100)
                        + "/consents?at=" + Instant.now().minusSeconds(5), null, 200);

                warmUp(serviceWrite, baselineWrite, serviceRead, baselineRead, Math.max(200, ops / 4));
                Stats sw = measure(serviceWrite, ops);
                Stats bw = measure(baselineWrite, ops);
                Stats sr = measure(serviceRead, ops);
                Stats br = measure(baselineRead, ops);
                Stats hr = measure(historyRead, ops);
                Stats at = measure(atRead, ops);
                System.out.println();
                System.out.println("single client, sequential requests          p50 ms   p99 ms  mean ms   ratio(p50)");
                print("grant/withdraw via consent-service (HTTP)", sw, bw);
                print("  baseline: same SQL transaction over JDBC", bw, bw);
                print("current state via consent-service (HTTP)", sr, br);
                print("  baseline: same SELECTs over JDBC", br, br);

                System.out.printf("%nloading %,d history rows for 100,000 other subjects ...%n", bulk);
                long t0 = System.nanoTime();
                loadHistory(jdbc, 0, bulk);
                System.out.printf("loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                warmUp(serviceRead, historyRead, atRead, serviceWrite, 200);
                Stats sr2 = measure(serviceRead, ops);
                Stats hr2 = measure(historyRead, ops);
                Stats at2 = measure(atRead, ops);
                Stats sw2 = measure(serviceWrite, ops);
                System.out.println();
                System.out.printf("after %,d more history rows                   p50 ms   p99 ms  mean ms   ratio(p50) vs before%n", bulk);
                print("current state", sr2, sr);
                print("grant/withdraw", sw2, sw);
                print("history page (20, newest first)", hr2, hr);
                print("state at an instant", at2, at);
            }
        }
        System.exit(0); // the in-process Kafka broker's threads would keep the JVM alive
    }

    /**
     * History rows number {@code from + 1} to {@code to} of 100,000 other subjects (tenant "bulk") in the partitioned
     * {@code consent_record}, then {@code ANALYZE}: calling it again with the next range grows the same history.
     */
    static void loadHistory(Connection jdbc, long from, long to) throws Exception {
        try (Statement s = jdbc.createStatement()) {
            s.execute("""
                    insert into consent_record (tenant_id, subject_id, subject_seq, event_id, request_id, purpose_key,
                        action, previous_state, state, occurred_at, recorded_at, actor_type)
                    select 'bulk', 'bulk-' || (g %% 100000), g / 100000 + 1, gen_random_uuid(), gen_random_uuid(),
                           'newsletter', 'GRANT', 'NONE', 'GRANTED', ts, ts, 'SUBJECT'
                    from generate_series(%d, %d) g,
                         lateral (select now() - interval '30 days' + (g %% 8) * interval '5 days' as ts) t
                    """.formatted(from + 1, to));
            s.execute("analyze consent_record");
        }
    }

    /**
     * The service's write transaction and read queries, statement for statement, over JDBC, on copies of the service's
     * tables (same columns, defaults, indexes and constraints) in schema {@value #SCHEMA}: in the service's own tables
     * the running relay would also read the baseline's outbox rows and park them (they are not events), taking CPU
     * from the baseline while it is measured.
     */
    static final class Baseline {

        static final String SCHEMA = "baseline";
        /** The tables the write and the reads touch. */
        private static final List<String> TABLES = List.of("subject", "erased_subject", "purpose", "notice_version",
                "consent_current", "consent_record", "outbox");

        private final Connection c;
        private final PreparedStatement upsertSubject;
        private final PreparedStatement erased;
        private final PreparedStatement purposes;
        private final PreparedStatement notices;
        private final PreparedStatement current;
        private final PreparedStatement record;
        private final PreparedStatement upsertCurrent;
        private final PreparedStatement outbox;
        private final PreparedStatement notify;
        private final PreparedStatement updateSubject;
        private final PreparedStatement readSeq;
        private final PreparedStatement readCurrent;
        private final String payload = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"tenantId\":\"bench\"," + "\"x\":\"" + "p".repeat(700) + "\"}";

        Baseline(Connection c) throws Exception {
            this.c = c;
            createSchema(c);
            c.createStatement().execute("set search_path = " + SCHEMA);
            c.createStatement().execute("""
                    insert into purpose values ('baseline', 'newsletter', '{"da":"n"}', '{}', 'EMAIL', 'CONSENT', 'MARKETING',
                        null, false, true, now(), now()) on conflict do nothing""");
            c.createStatement().execute("""
                    insert into notice_version values ('baseline', 'newsletter', 'v1', 'da', 'Ja tak.', null, repeat('a', 64),
                        false, now()) on conflict do nothing""");
            upsertSubject = c.prepareStatement("""
                    insert into subject (tenant_id, subject_id, seq, created_at, updated_at) values (?, ?, 0, ?, ?)
                    on conflict (tenant_id, subject_id) do update set updated_at = subject.updated_at returning seq""");
            erased = c.prepareStatement("select 1 from erased_subject where tenant_id = ? and tag = sha256(convert_to(?, 'UTF8'))");
            purposes = c.prepareStatement("""
                    select key, channel, legal_basis, category, validity, double_opt_in, active
                    from purpose where tenant_id = ? and key = any(?)""");
            notices = c.prepareStatement("""
                    select purpose_key, version, language, content_sha256, url, material
                    from notice_version where tenant_id = ? and purpose_key = any(?)""");
            current = c.prepareStatement("""
                    select purpose_key, state, expires_at from consent_current
                    where tenant_id = ? and subject_id = ? and purpose_key = any(?)""");
            record = c.prepareStatement("""
                    insert into consent_record (tenant_id, subject_id, subject_seq, event_id, request_id, purpose_key,
                        action, previous_state, state, notice_version, notice_language, notice_sha256, occurred_at,
                        recorded_at, expires_at, source_app_id, source_platform, source_app_version, collection_point,
                        actor_type, actor_id, language, ip_prefix, user_agent)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            upsertCurrent = c.prepareStatement("""
                    insert into consent_current (tenant_id, subject_id, purpose_key, state, notice_version,
                        notice_language, event_id, subject_seq, updated_at, expires_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    on conflict (tenant_id, subject_id, purpose_key) do update set
                        state = excluded.state,
                        notice_version = coalesce(excluded.notice_version, consent_current.notice_version),
                        notice_language = coalesce(excluded.notice_language, consent_current.notice_language),
                        event_id = excluded.event_id, subject_seq = excluded.subject_seq,
                        updated_at = excluded.updated_at, expires_at = excluded.expires_at""");
            outbox = c.prepareStatement("""
                    insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?)""");
            notify = c.prepareStatement("select pg_notify(?, ?)");
            updateSubject = c.prepareStatement("update subject set seq = ?, updated_at = ? where tenant_id = ? and subject_id = ?");
            readSeq = c.prepareStatement("select subject_id, seq from subject where tenant_id = ? and subject_id = any(?)");
            readCurrent = c.prepareStatement("""
                    select c.subject_id, c.purpose_key, c.state, c.notice_version, c.notice_language, c.subject_seq,
                           c.event_id, c.updated_at, c.expires_at,
                           exists (select 1 from notice_version m
                                   where m.tenant_id = c.tenant_id and m.purpose_key = c.purpose_key and m.material
                                     and m.published_at > (select min(g.published_at) from notice_version g
                                                           where g.tenant_id = c.tenant_id and g.purpose_key = c.purpose_key
                                                             and g.version = c.notice_version)) as reconsent_required
                    from consent_current c
                    where c.tenant_id = ? and c.subject_id = any(?) and (?::text[] is null or c.purpose_key = any(?))
                    order by c.subject_id, c.purpose_key""");
        }

        /** Schema {@value #SCHEMA} with empty copies of the service's tables, made once. */
        static synchronized void createSchema(Connection c) throws Exception {
            c.createStatement().execute("create schema if not exists " + SCHEMA);
            for (String table : TABLES) {
                // consent_record is partitioned by recorded_at in the service; so is its copy, with a default partition
                String partitioned = table.equals("consent_record") ? " partition by range (recorded_at)" : "";
                c.createStatement().execute("create table if not exists %s.%s (like public.%s including all)%s"
                        .formatted(SCHEMA, table, table, partitioned));
            }
            c.createStatement().execute("create table if not exists %s.consent_record_default partition of %s.consent_record default"
                    .formatted(SCHEMA, SCHEMA));
        }

        void write(String subject, boolean grant) {
            try {
                c.setAutoCommit(false);
                Timestamp now = Timestamp.from(Instant.now());
                Array keys = c.createArrayOf("text", new String[]{"newsletter"});
                upsertSubject.setString(1, "baseline");
                upsertSubject.setString(2, subject);
                upsertSubject.setTimestamp(3, now);
                upsertSubject.setTimestamp(4, now);
                long seq;
                try (ResultSet rs = upsertSubject.executeQuery()) {
                    rs.next();
                    seq = rs.getLong(1);
                }
                query(erased, "baseline", subject);
                query(purposes, "baseline", keys);
                query(notices, "baseline", keys);
                query(current, "baseline", subject, keys);
                UUID eventId = UUID.randomUUID();
                Object[] r = {"baseline", subject, seq + 1, eventId, UUID.randomUUID(), "newsletter", grant ? "GRANT" : "WITHDRAW",
                        grant ? "WITHDRAWN" : "GRANTED", grant ? "GRANTED" : "WITHDRAWN", grant ? "v1" : null, grant ? "da" : null,
                        grant ? "a".repeat(64) : null, now, now, null, "bench", "ios", "1.0", "settings", "SUBJECT", subject, "da",
                        "127.0.0.0/24", "Java-http-client"};
                for (int i = 0; i < r.length; i++) {
                    record.setObject(i + 1, r[i]);
                }
                record.executeUpdate();
                Object[] cur = {"baseline", subject, "newsletter", grant ? "GRANTED" : "WITHDRAWN", grant ? "v1" : null,
                        grant ? "da" : null, eventId, seq + 1, now, null};
                for (int i = 0; i < cur.length; i++) {
                    upsertCurrent.setObject(i + 1, cur[i]);
                }
                upsertCurrent.executeUpdate();
                Object[] out = {(short) 0, "baseline", subject, seq + 1, eventId, "io.samtykke.consent.granted.v1", payload, now};
                for (int i = 0; i < out.length; i++) {
                    outbox.setObject(i + 1, out[i]);
                }
                outbox.executeUpdate();
                notify.setString(1, "consent_outbox_baseline");
                notify.setString(2, "0");
                notify.executeQuery().close();
                updateSubject.setLong(1, seq + 1);
                updateSubject.setTimestamp(2, now);
                updateSubject.setString(3, "baseline");
                updateSubject.setString(4, subject);
                updateSubject.executeUpdate();
                c.commit();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void read(String subject) {
            try {
                c.setAutoCommit(true);
                Array ids = c.createArrayOf("text", new String[]{subject});
                query(readSeq, "baseline", ids);
                query(readCurrent, "baseline", ids, null, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static void query(PreparedStatement s, Object... args) throws Exception {
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) {
                    s.setNull(i + 1, java.sql.Types.ARRAY);
                } else {
                    s.setObject(i + 1, args[i]);
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rs.getObject(1);
                }
            }
        }
    }

    record Stats(double p50, double p99, double mean) {
    }

    private static void warmUp(IntConsumer a, IntConsumer b, IntConsumer c, IntConsumer d, int n) {
        for (int i = 0; i < n; i++) {
            a.accept(i);
            b.accept(i);
            c.accept(i);
            d.accept(i);
        }
    }

    private static Stats measure(IntConsumer op, int n) {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            op.accept(i);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new Stats(nanos[n / 2] / 1e6, nanos[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
                Arrays.stream(nanos).average().orElse(0) / 1e6);
    }

    private static void print(String name, Stats s, Stats base) {
        String ratio = base == null ? "" : String.format(Locale.ROOT, "%8.2fx", s.p50() / base.p50());
        System.out.printf(Locale.ROOT, "%-44s %7.2f  %7.2f  %7.2f   %s%n", name, s.p50(), s.p99(), s.mean(), ratio);
    }

    private static void send(ServiceProcess s, String token, String method, String path, String body, int expected) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url(path))).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token);
            if (body != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
