package io.samtykke.bench;

import io.samtykke.testsupport.PostgresServer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * consent-service's write transaction run by PostgreSQL's own pgbench (where the machine has it), as a second SQL
 * baseline beside the bench's JDBC loop: the same statements as {@link ConsentBench.Baseline} plus the erasure check
 * the service makes, prepared ({@code -M prepared}), one transaction per script run. Open loop: with {@code --rate}
 * pgbench schedules transactions at the rate and counts each one's latency from its scheduled start, so a server that
 * falls behind is charged for the waiting, as in {@link OpenLoop}; the per-transaction log gives the percentiles.
 */
final class PgBench {

    /**
     * The transaction; subjects {@code pg-0..9999} of the JDBC baseline's tenant, grant and withdraw alternating, in the
     * JDBC baseline's schema (its purpose and notice rows included).
     */
    private static final String WRITE = """
            \\set n random(0, 9999)
            BEGIN;
            insert into subject (tenant_id, subject_id, seq, created_at, updated_at) values ('baseline', 'pg-' || :n, 0, now(), now()) on conflict (tenant_id, subject_id) do update set updated_at = subject.updated_at returning seq \\gset
            select 1 from erased_subject where tenant_id = 'baseline' and tag = sha256(convert_to('pg-' || :n, 'UTF8'));
            select key, channel, legal_basis, category, validity, double_opt_in, active from purpose where tenant_id = 'baseline' and key = any('{newsletter}');
            select purpose_key, version, language, content_sha256, url, material from notice_version where tenant_id = 'baseline' and purpose_key = any('{newsletter}');
            select purpose_key, state, expires_at from consent_current where tenant_id = 'baseline' and subject_id = 'pg-' || :n and purpose_key = any('{newsletter}');
            \\set next :seq + 1
            insert into consent_record (tenant_id, subject_id, subject_seq, event_id, request_id, purpose_key, action, previous_state, state, notice_version, notice_language, notice_sha256, occurred_at, recorded_at, expires_at, source_app_id, source_platform, source_app_version, collection_point, actor_type, actor_id, language, ip_prefix, user_agent) values ('baseline', 'pg-' || :n, :next, md5('pg-' || :n || '/' || :next)::uuid, gen_random_uuid(), 'newsletter', case when :seq % 2 = 0 then 'GRANT' else 'WITHDRAW' end, case when :seq % 2 = 0 then 'WITHDRAWN' else 'GRANTED' end, case when :seq % 2 = 0 then 'GRANTED' else 'WITHDRAWN' end, case when :seq % 2 = 0 then 'v1' end, case when :seq % 2 = 0 then 'da' end, case when :seq % 2 = 0 then repeat('a', 64) end, now(), now(), null, 'bench', 'ios', '1.0', 'settings', 'SUBJECT', 'pg-' || :n, 'da', '127.0.0.0/24', 'Java-http-client');
            insert into consent_current (tenant_id, subject_id, purpose_key, state, notice_version, notice_language, event_id, subject_seq, updated_at, expires_at) values ('baseline', 'pg-' || :n, 'newsletter', case when :seq % 2 = 0 then 'GRANTED' else 'WITHDRAWN' end, case when :seq % 2 = 0 then 'v1' end, case when :seq % 2 = 0 then 'da' end, md5('pg-' || :n || '/' || :next)::uuid, :next, now(), null) on conflict (tenant_id, subject_id, purpose_key) do update set state = excluded.state, notice_version = coalesce(excluded.notice_version, consent_current.notice_version), notice_language = coalesce(excluded.notice_language, consent_current.notice_language), event_id = excluded.event_id, subject_seq = excluded.subject_seq, updated_at = excluded.updated_at, expires_at = excluded.expires_at;
            insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload, created_at) values (0, 'baseline', 'pg-' || :n, :next, md5('pg-' || :n || '/' || :next)::uuid, 'io.samtykke.consent.granted.v1', '{"tenantId":"baseline","x":"' || repeat('p', 700) || '"}', now());
            select pg_notify('consent_outbox_baseline', '0');
            update subject set seq = :next, updated_at = now() where tenant_id = 'baseline' and subject_id = 'pg-' || :n;
            END;
            """;

    private PgBench() {
    }

    /** pgbench of this machine's PostgreSQL, or null where it has none (the JDBC loop is then the only SQL baseline). */
    static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "pgbench");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs the write transaction at {@code rate} for {@code duration} over {@code connections} connections. */
    static OpenLoop.StepRunner writes(Path pgbench, PostgresServer pg, String database, int connections, Duration duration) throws IOException {
        Path work = Files.createTempDirectory("samtykke-pgbench");
        Path script = Files.writeString(work.resolve("write.sql"), WRITE);
        return rate -> step(pgbench, pg, database, script, work, connections, rate, duration);
    }

    private static OpenLoop.Step step(Path pgbench, PostgresServer pg, String database, Path script, Path work, int connections,
                                      double rate, Duration duration) throws Exception {
        Path logs = Files.createTempDirectory(work, "step");
        long startEpoch = System.currentTimeMillis();
        ProcessBuilder b = new ProcessBuilder(pgbench.toString(), "-n", "-M", "prepared", "-f", script.toString(),
                "-c", Integer.toString(connections), "-j", Integer.toString(Math.min(connections, 2)),
                "-R", String.format(Locale.ROOT, "%.0f", rate), "-T", Long.toString(duration.toSeconds()),
                "-l", "--log-prefix=" + logs.resolve("tx"),
                "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), database)
                .redirectErrorStream(true).redirectOutput(work.resolve("pgbench.out").toFile());
        b.environment().put("PGPASSWORD", pg.password());
        // the JDBC baseline's tables (ConsentBench.Baseline, made before this runs), not the service's: its relay would read these rows
        b.environment().put("PGOPTIONS", "-c search_path=" + ConsentBench.Baseline.SCHEMA);
        Process p = b.start();
        if (!p.waitFor(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pgbench did not finish");
        }
        String out = Files.readString(work.resolve("pgbench.out"));
        long failed = p.exitValue() == 0 ? 0 : 1;
        // per transaction: client, transaction no, latency us (from its scheduled start under --rate), script, epoch s, us
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        TreeMap<Long, Long> perSecond = new TreeMap<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] c = line.trim().split("\\s+");
                    if (c.length < 6) {
                        continue;
                    }
                    if (c[2].equals("failed") || c[2].equals("skipped")) {
                        failed++;
                        continue;
                    }
                    h.recordValue(Math.min(TimeUnit.MICROSECONDS.toNanos(Long.parseLong(c[2])), TimeUnit.SECONDS.toNanos(60)));
                    perSecond.merge(Long.parseLong(c[4]), 1L, Long::sum);
                }
            }
        }
        if (h.getTotalCount() == 0) {
            throw new IllegalStateException("pgbench ran no transaction: " + out);
        }
        double elapsed = duration.toMillis() / 1000.0;
        List<Long> series = new ArrayList<>(perSecond.values());
        return new OpenLoop.Step(rate, h.getTotalCount() / elapsed, h.getTotalCount(), failed,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6, series, startEpoch,
                startEpoch + duration.toMillis());
    }
}
