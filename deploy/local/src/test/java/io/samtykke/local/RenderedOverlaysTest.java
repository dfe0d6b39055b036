package io.samtykke.local;

import io.samtykke.contract.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders both Kustomize overlays (deploy/k8s/overlays/dev and prod) with {@code kubectl kustomize}, as
 * {@code kubectl apply -k} would, and checks what comes out: only kinds Kubernetes and the two operators
 * define, each overlay's shape (brokers, replication, instances, autoscaling), topics that agree with the
 * code and with the number of brokers, one database role per service, no secret values, and that each
 * service, started with exactly its Deployment's environment, finds every setting it requires.
 */
class RenderedOverlaysTest {

    private static final List<String> SERVICES = List.of("consent-service", "preference-service", "audit-service");

    /**
     * apiVersion → the kinds it serves that these manifests may use. Kubernetes' own (API reference v1.32);
     * Strimzi 0.49's kafka.strimzi.io/v1beta2 (io.strimzi.api.kafka.model); CloudNativePG 1.25's
     * postgresql.cnpg.io/v1 (its API reference). A typo in a kind or an apiVersion fails here, not at apply.
     */
    private static final Map<String, Set<String>> KINDS = Map.of(
            "v1", Set.of("Namespace", "ConfigMap", "Service", "Secret", "ServiceAccount"),
            "apps/v1", Set.of("Deployment", "StatefulSet"),
            "policy/v1", Set.of("PodDisruptionBudget"),
            "autoscaling/v2", Set.of("HorizontalPodAutoscaler"),
            "networking.k8s.io/v1", Set.of("NetworkPolicy", "Ingress"),
            "kafka.strimzi.io/v1beta2", Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "KafkaConnect",
                    "KafkaConnector", "KafkaMirrorMaker2", "KafkaBridge", "KafkaRebalance"),
            "postgresql.cnpg.io/v1", Set.of("Cluster", "Database", "Pooler", "Backup", "ScheduledBackup", "ImageCatalog",
                    "ClusterImageCatalog", "Publication", "Subscription"));

    private static Path repo;
    private static final Map<String, List<Map<String, Object>>> RENDERED = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws Exception {
        repo = LocalCluster.repoRoot();
        Assumptions.assumeTrue(onPath("kubectl"),
                "SKIPPED LOUDLY: kubectl is not on the PATH (.ci/run installs Debian's kubectl); the overlays were not rendered");
        for (String overlay : List.of("dev", "prod")) {
            Process p = new ProcessBuilder("kubectl", "kustomize", repo.resolve("deploy/k8s/overlays/" + overlay).toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not finish");
            assertEquals(0, p.exitValue(), "overlay " + overlay + " does not render:\n" + out);
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(out)) {
                if (doc != null) {
                    docs.add(map(doc));
                }
            }
            RENDERED.put(overlay, docs);
        }
    }

    @Test
    void everyKindIsOneKubernetesOrTheOperatorsDefineAndEverythingIsInTheNamespace() {
        List<String> problems = new ArrayList<>();
        RENDERED.forEach((overlay, docs) -> {
            assertTrue(docs.size() >= 20, overlay + " renders only " + docs.size() + " resources");
            for (Map<String, Object> d : docs) {
                String api = str(d.get("apiVersion"));
                String kind = str(d.get("kind"));
                if (!KINDS.getOrDefault(api, Set.of()).contains(kind)) {
                    problems.add(overlay + ": " + api + " " + kind + " is not a kind Kubernetes, Strimzi or CloudNativePG serves");
                }
                if (!kind.equals("Namespace") && !"samtykke".equals(str(map(d.get("metadata")).get("namespace")))) {
                    problems.add(overlay + ": " + kind + " " + name(d) + " is not in the namespace samtykke");
                }
                if (kind.equals("Secret") && (d.containsKey("data") || d.containsKey("stringData"))) {
                    problems.add(overlay + ": Secret " + name(d) + " carries values; secrets are created by hand (deploy/k8s/README.md)");
                }
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void devRunsOneOfEverything() {
        List<Map<String, Object>> dev = RENDERED.get("dev");
        assertEquals(1, intAt(one(dev, "KafkaNodePool", "combined"), "spec", "replicas"), "dev: one Kafka node");
        assertEquals(1, intAt(one(dev, "Cluster", "samtykke-db"), "spec", "instances"), "dev: one PostgreSQL instance");
        for (String service : SERVICES) {
            assertEquals(1, intAt(one(dev, "Deployment", service), "spec", "replicas"), "dev: one pod of " + service);
        }
        assertTrue(all(dev, "PodDisruptionBudget").isEmpty(), "dev: a budget of 1 of 1 pods would block every drain");
        assertTrue(all(dev, "HorizontalPodAutoscaler").isEmpty(), "dev: no autoscaling");
        assertTopicsFitTheBrokers(dev, 1, 1);
    }

    @Test
    void prodReplicatesEverythingAndScalesEveryService() {
        List<Map<String, Object>> prod = RENDERED.get("prod");
        Map<String, Object> pool = one(prod, "KafkaNodePool", "combined");
        assertEquals(3, intAt(pool, "spec", "replicas"), "prod: three KRaft nodes");
        assertTrue(list(map(pool.get("spec")).get("roles")).containsAll(List.of("broker", "controller")));
        Map<String, Object> kafkaConfig = map(map(map(one(prod, "Kafka", "samtykke").get("spec")).get("kafka")).get("config"));
        assertEquals(3, kafkaConfig.get("default.replication.factor"));
        assertEquals(2, kafkaConfig.get("min.insync.replicas"));
        assertEquals(3, kafkaConfig.get("offsets.topic.replication.factor"));
        Map<String, Object> cluster = one(prod, "Cluster", "samtykke-db");
        assertEquals(3, intAt(cluster, "spec", "instances"), "prod: primary and two standbys");
        Map<String, Object> sync = map(map(map(cluster.get("spec")).get("postgresql")).get("synchronous"));
        assertTrue(intAt(sync, "number") >= 1, "prod: at least one synchronous standby: " + sync);
        assertEquals("required", sync.get("dataDurability"), "prod: an acknowledged commit is on a standby");
        assertTopicsFitTheBrokers(prod, 3, 2);
        int partitions = all(prod, "KafkaTopic").stream().filter(t -> name(t).startsWith("samtykke.consent."))
                .mapToInt(t -> intAt(t, "spec", "partitions")).min().orElseThrow();
        for (String service : SERVICES) {
            Map<String, Object> deployment = one(prod, "Deployment", service);
            assertFalse(map(deployment.get("spec")).containsKey("replicas"),
                    service + ": replicas belong to the autoscaler; an apply would reset them");
            Map<String, Object> podSpec = map(map(map(deployment.get("spec")).get("template")).get("spec"));
            assertFalse(map(map(podSpec.get("affinity")).get("podAntiAffinity")).isEmpty(), service + ": no pod anti-affinity");
            Map<String, Object> resources = map(map(list(podSpec.get("containers")).get(0)).get("resources"));
            assertTrue(map(resources.get("requests")).containsKey("cpu") && map(resources.get("requests")).containsKey("memory")
                    && map(resources.get("limits")).containsKey("memory"), service + ": requests and a memory limit: " + resources);
            Map<String, Object> hpa = one(prod, "HorizontalPodAutoscaler", service);
            Map<String, Object> target = map(map(hpa.get("spec")).get("scaleTargetRef"));
            assertEquals(List.of("apps/v1", "Deployment", service), List.of(target.get("apiVersion"), target.get("kind"), target.get("name")));
            int min = intAt(hpa, "spec", "minReplicas");
            int max = intAt(hpa, "spec", "maxReplicas");
            assertTrue(min >= 2, service + ": at least two pods, so one can be drained");
            assertTrue(max <= partitions, service + ": " + max + " pods, but a consumer group uses at most " + partitions);
            assertEquals(1, intAt(one(prod, "PodDisruptionBudget", service), "spec", "minAvailable"));
        }
    }

    /** Every topic the code uses is a KafkaTopic whose shape the brokers can hold and the services expect. */
    private static void assertTopicsFitTheBrokers(List<Map<String, Object>> docs, int replicas, int minInSync) {
        Map<String, Map<String, Object>> topics = new HashMap<>();
        all(docs, "KafkaTopic").forEach(t -> topics.put(name(t), t));
        Set<String> expected = new TreeSet<>(List.of(Topics.CONSENT_EVENTS, Topics.CONSENT_OPTOUTS, Topics.CONSENT_STATE,
                Topics.CONSENT_CONFIRMATIONS, Topics.PREFERENCE_EVENTS, Topics.SUBJECT_EVENTS, Topics.deadLetter("audit-service"),
                Topics.deadLetter("preference-service-projection")));
        assertEquals(expected, new TreeSet<>(topics.keySet()), "KafkaTopics are exactly the topics the code uses");
        Map<String, Object> consentConfig = map(one(docs, "ConfigMap", "consent-service-config").get("data"));
        int created = Integer.parseInt(str(consentConfig.get("SAMTYKKE_OUTBOX_TOPIC_PARTITIONS")));
        int createdReplicas = Integer.parseInt(str(consentConfig.get("SAMTYKKE_OUTBOX_TOPIC_REPLICATION_FACTOR")));
        assertEquals(replicas, createdReplicas, "consent-service would create its topics with another replication factor");
        topics.forEach((topic, t) -> {
            Map<String, Object> spec = map(t.get("spec"));
            Map<String, Object> config = map(spec.get("config"));
            assertEquals(replicas, intAt(t, "spec", "replicas"), topic + ": replication factor");
            assertEquals(minInSync, ((Number) config.get("min.insync.replicas")).intValue(), topic + ": min.insync.replicas");
            if (topic.startsWith("samtykke.consent.")) {
                assertEquals(created, intAt(t, "spec", "partitions"),
                        topic + ": consent-service creates it with " + created + " partitions when missing");
            }
            if (topic.equals(Topics.CONSENT_STATE)) {
                assertEquals("compact", config.get("cleanup.policy"), topic + ": latest state per key, never deleted by age");
            } else {
                assertEquals("delete", config.get("cleanup.policy"), topic);
                assertTrue(config.get("retention.ms") instanceof Number, topic + ": a retention of its own");
            }
            assertEquals("samtykke", str(map(map(t.get("metadata")).get("labels")).get("strimzi.io/cluster")), topic);
        });
    }

    /** Each service logs in as its own role; every role and owner is one PostgreSQL will have. */
    @Test
    void oneDatabaseRolePerServiceAndEveryRoleExists() {
        for (String overlay : RENDERED.keySet()) {
            List<Map<String, Object>> docs = RENDERED.get(overlay);
            Map<String, Object> cluster = map(one(docs, "Cluster", "samtykke-db").get("spec"));
            Map<String, Object> initdb = map(map(cluster.get("bootstrap")).get("initdb"));
            Map<String, String> roleSecret = new HashMap<>();
            roleSecret.put(str(initdb.get("owner")), "samtykke-db-app"); // CloudNativePG makes <cluster>-app for the initdb owner
            for (Object r : list(map(cluster.get("managed")).get("roles"))) {
                roleSecret.put(str(map(r).get("name")), str(map(map(r).get("passwordSecret")).get("name")));
            }
            Map<String, String> owners = new HashMap<>();
            owners.put(str(initdb.get("database")), str(initdb.get("owner")));
            for (Map<String, Object> db : all(docs, "Database")) {
                owners.put(str(map(db.get("spec")).get("name")), str(map(db.get("spec")).get("owner")));
            }
            assertEquals(Map.of("consent", "consent", "preference", "preference", "audit", "audit"), owners, overlay);
            Set<String> logins = new TreeSet<>();
            for (String service : SERVICES) {
                Map<String, String> secretOf = secretNames(one(docs, "Deployment", service));
                String login = secretOf.get("QUARKUS_DATASOURCE_USERNAME");
                assertTrue(logins.add(login), overlay + ": " + service + " shares its database login " + login);
                assertTrue(roleSecret.containsValue(login), overlay + ": " + service + " logs in with " + login
                        + ", the password of no role of the Cluster");
                String database = str(map(one(docs, "ConfigMap", service + "-config").get("data"))
                        .get("QUARKUS_DATASOURCE_REACTIVE_URL")).replaceAll(".*/", "");
                String migrator = secretOf.getOrDefault("QUARKUS_FLYWAY_USERNAME", login);
                assertEquals(roleSecret.get(owners.get(database)), migrator,
                        overlay + ": " + service + "'s migrations must run as the owner of " + database);
            }
        }
    }

    /**
     * Each service's jar started with exactly the environment its prod Deployment gives it (ConfigMap,
     * values, Secrets as the README says to create them) gets past configuration: it fails only when it
     * reaches for the cluster's database, broker or identity provider, which do not exist here. A setting
     * the service requires and the Deployment lacks stops it with SmallRye Config's "required" error.
     */
    @Test
    void eachServiceFindsEverySettingItRequiresInItsDeployment() throws Exception {
        List<Map<String, Object>> prod = RENDERED.get("prod");
        Map<String, Process> started = new LinkedHashMap<>();
        Map<String, Path> logs = new HashMap<>();
        try {
            for (String service : SERVICES) {
                Path jar = repo.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
                assertTrue(Files.exists(jar), jar + " is missing; the reactor builds the services first");
                Map<String, Object> deployment = one(prod, "Deployment", service);
                Map<String, Object> container = map(list(map(map(map(deployment.get("spec")).get("template")).get("spec"))
                        .get("containers")).get(0));
                Map<String, String> env = new LinkedHashMap<>();
                for (Object from : list(container.get("envFrom"))) {
                    String cm = str(map(map(from).get("configMapRef")).get("name"));
                    map(one(prod, "ConfigMap", cm).get("data")).forEach((k, v) -> env.put(k, str(v)));
                }
                for (Object e : list(container.get("env"))) {
                    Map<String, Object> var = map(e);
                    Map<String, Object> ref = map(map(var.get("valueFrom")).get("secretKeyRef"));
                    env.put(str(var.get("name")), ref.isEmpty() ? str(var.get("value"))
                            : secretValue(str(ref.get("name")), str(ref.get("key"))));
                }
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx192m", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=0", "-jar", jar.toString());
                pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("SAMTYKKE_") || k.startsWith("KAFKA_"));
                pb.environment().putAll(env);
                Path log = Files.createTempFile("deployment-env-" + service, ".log");
                logs.put(service, log);
                started.put(service, pb.redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            List<String> problems = new ArrayList<>();
            for (String service : SERVICES) {
                Process p = started.get(service);
                // until it stops, or shows it is trying to reach what the Deployment points at (it retries its database
                // connection for two minutes, see quarkus.flyway.connect-retries, so it may not stop by itself soon)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (p.isAlive() && System.nanoTime() < deadline && !reachesOut(Files.readString(logs.get(service)))) {
                    p.waitFor(200, TimeUnit.MILLISECONDS);
                }
                String out = Files.readString(logs.get(service));
                if (out.contains("SRCFG00014") || out.contains("is required but it could not be found")
                        || out.contains("ConfigValidationException") || out.contains("SRCFG00039")) {
                    problems.add(service + " lacks settings its Deployment should give:\n" + tail(out));
                } else if (!reachesOut(out)) {
                    problems.add(service + " stopped before reaching its database, broker or identity provider:\n" + tail(out));
                }
            }
            assertTrue(problems.isEmpty(), String.join("\n\n", problems));
        } finally {
            for (Process p : started.values()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (Path log : logs.values()) {
                Files.deleteIfExists(log);
            }
        }
    }

    /** Values of the shape deploy/k8s/README.md tells the operator to create (openssl rand / genpkey). */
    private static String secretValue(String secret, String key) throws Exception {
        String readme = Files.readString(repo.resolve("deploy/k8s/README.md"));
        assertTrue(readme.contains("`" + secret + "`") && readme.contains(key),
                "deploy/k8s/README.md does not tell how to create secret " + secret + " key " + key);
        if (key.equals("username")) {
            return "role-of-" + secret;
        }
        if (key.equals("signing-key")) {
            byte[] pkcs8 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
            return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    private static String tail(String out) {
        List<String> lines = out.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    }

    private static Map<String, String> secretNames(Map<String, Object> deployment) {
        Map<String, String> out = new HashMap<>();
        Map<String, Object> container = map(list(map(map(map(deployment.get("spec")).get("template")).get("spec"))
                .get("containers")).get(0));
        for (Object e : list(container.get("env"))) {
            Map<String, Object> ref = map(map(map(e).get("valueFrom")).get("secretKeyRef"));
            if (!ref.isEmpty()) {
                out.put(str(map(e).get("name")), str(ref.get("name")));
            }
        }
        return out;
    }

    private static boolean onPath(String command) {
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> one(List<Map<String, Object>> docs, String kind, String name) {
        List<Map<String, Object>> found = all(docs, kind).stream().filter(d -> name.equals(name(d))).toList();
        if (found.size() != 1) {
            fail(found.size() + " resources " + kind + " " + name);
        }
        return found.get(0);
    }

    private static int intAt(Map<String, Object> doc, String... path) {
        Object v = doc;
        for (String p : path) {
            v = map(v).get(p);
        }
        if (!(v instanceof Number n)) {
            throw new AssertionError(String.join(".", path) + " is not a number: " + v);
        }
        return n.intValue();
    }

    private static String name(Map<String, Object> doc) {
        return str(map(doc.get("metadata")).get("name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    /** Whether a service's log shows it trying to reach the database, broker or identity provider its Deployment names. */
    private static boolean reachesOut(String log) {
        return log.contains("samtykke-db-rw") || log.contains("samtykke-kafka-bootstrap") || log.contains("login.example.com");
    }
}
