package io.samtykke.preference.example;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The example in preference-service's README: what a marketing tool that speaks Kafka does with
 * samtykke.consent.optouts.v1. It keeps a suppression list in a file, one line per person and purpose
 * ({@code tenant<TAB>subject<TAB>purpose<TAB>state<TAB>subjectseq}), and needs nothing but kafka-clients:
 * everything it uses is in the CloudEvents headers. At least once and idempotent: offsets are committed after
 * the file is written, and a record whose subjectseq is at or below the one held for its person and purpose
 * changes nothing.
 *
 * <pre>java -cp "kafka-clients.jar:..." io.samtykke.preference.example.OptOutSuppressionList 127.0.0.1:9092 suppressed.tsv</pre>
 */
public final class OptOutSuppressionList {

    public static final String TOPIC = "samtykke.consent.optouts.v1";

    private OptOutSuppressionList() {
    }

    public static void main(String[] args) throws IOException {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        Path file = Path.of(args.length > 1 ? args[1] : "suppressed.tsv");
        run(bootstrap, "example-suppression-list", file, Duration.ofDays(365 * 100));
    }

    /** Follows the opt-outs into {@code file} until {@code runFor} has passed. */
    public static void run(String bootstrap, String group, Path file, Duration runFor) throws IOException {
        Map<String, String[]> suppressed = load(file);
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",   // a new tool starts from what the topic still holds
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);       // commit only what is in the file
        long until = System.nanoTime() + runFor.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (System.nanoTime() < until) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    changed |= apply(suppressed, r);
                }
                if (changed) {
                    save(suppressed, file);
                }
                consumer.commitSync();
            }
        }
    }

    /**
     * One opt-out: the record key is tenantId/subjectId, ce_subject the purpose, ce_type what happened. A person-wide
     * opt-out (io.samtykke.subject.objected.v1: all direct marketing; ...restricted: every purpose; ...erased) has no
     * ce_subject and its own sequence: it is kept on a line of its own, purpose "*".
     */
    static boolean apply(Map<String, String[]> suppressed, ConsumerRecord<String, byte[]> r) {
        String tenant = header(r, "ce_tenantid");
        String purpose = header(r, "ce_subject") == null ? "*" : header(r, "ce_subject");
        String type = header(r, "ce_type");               // io.samtykke.consent.withdrawn.v1, ...denied, ...expired, ...objected
        long seq = Long.parseLong(header(r, "ce_subjectseq"));
        String subject = r.key().substring(tenant.length() + 1);
        String key = tenant + "\t" + subject + "\t" + purpose;
        String[] held = suppressed.get(key);
        if (held != null && Long.parseLong(held[4]) >= seq) {
            return false;                                  // a redelivery, or older than what we hold
        }
        String state = type.replace("io.samtykke.consent.", "").replace("io.samtykke.subject.", "").replace(".v1", "");
        suppressed.put(key, new String[]{tenant, subject, purpose, state, Long.toString(seq)});
        return true;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Map<String, String[]> load(Path file) throws IOException {
        Map<String, String[]> lines = new TreeMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                lines.put(f[0] + "\t" + f[1] + "\t" + f[2], f);
            }
        }
        return lines;
    }

    /** Writes the whole list to a temporary file and moves it over the old one, so a reader never sees half a list. */
    private static void save(Map<String, String[]> suppressed, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, suppressed.values().stream().map(f -> String.join("\t", f)).toList());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
