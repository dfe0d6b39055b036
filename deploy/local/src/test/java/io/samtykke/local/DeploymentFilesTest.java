package io.samtykke.local;

import io.samtykke.contract.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the deployment files (docker-compose.yml and the Kubernetes manifests in deploy/k8s) against
 * what the services really read: their application.properties, their {@code @ConfigMapping} interfaces,
 * their HTTP ports and the Kafka topics of the event contract. Nothing here starts a container or talks
 * to a cluster; it catches a misspelt variable, a wrong port or a missing topic before anyone deploys.
 */
class DeploymentFilesTest {

    private static final List<String> SERVICES = List.of("consent-service", "preference-service", "audit-service");

    /**
     * Environment variables a service's container may be given that are not properties named in its own
     * application.properties or source. Each needs a reason, checked where it can be: keep this list short.
     */
    private static final Map<String, Allowed> ALLOWED = Map.of(
            // quarkus.oidc.auth-server-url: the identity provider the deployment chooses
            "QUARKUS_OIDC_AUTH_SERVER_URL", service -> read(service.resolve("pom.xml"))
                    .contains("<artifactId>quarkus-oidc</artifactId>") ? null : "the service does not use quarkus-oidc",
            // the image's start script turns it into -XX:MaxRAMPercentage
            "JAVA_MAX_MEM_RATIO", service -> read(service.resolve("src/main/docker/Dockerfile.jvm"))
                    .contains("/opt/jboss/container/java/run/run-java.sh") ? null : "the image does not start with run-java.sh");

    interface Allowed {
        /** Why the variable does not apply to this service, or null when it does. */
        String problem(Path serviceDir);
    }

    private static Path repo;
    private static Path k8s;
    /** Every YAML file under deploy/k8s, relative to it, with its documents. */
    private static final Map<String, List<Map<String, Object>>> K8S_FILES = new TreeMap<>();
    private static Map<String, Object> compose;
    private static final Map<String, ServiceSettings> SETTINGS = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        repo = findRepositoryRoot();
        k8s = repo.resolve("deploy/k8s/base");
        assertTrue(Files.isDirectory(k8s), "no folder " + k8s);
        try (Stream<Path> files = Files.walk(k8s)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList()) {
                K8S_FILES.put(k8s.relativize(f).toString().replace('\\', '/'), parseAll(f));
            }
        }
        List<Map<String, Object>> composeDocs = parseAll(repo.resolve("docker-compose.yml"));
        assertEquals(1, composeDocs.size(), "docker-compose.yml holds one document");
        compose = composeDocs.get(0);
        for (String service : SERVICES) {
            SETTINGS.put(service, ServiceSettings.of(repo.resolve(service)));
        }
    }

    // 1. every file parses

    @Test
    void everyDeploymentFileParses() {
        assertTrue(K8S_FILES.containsKey("kustomization.yaml"), "deploy/k8s has no kustomization.yaml");
        List<String> problems = new ArrayList<>();
        K8S_FILES.forEach((file, docs) -> {
            if (docs.isEmpty()) {
                problems.add(file + ": no document");
            }
            if (!file.equals("kustomization.yaml")) {
                for (Map<String, Object> doc : docs) {
                    if (str(doc.get("apiVersion")) == null || str(doc.get("kind")) == null || name(doc) == null) {
                        problems.add(file + ": a document without apiVersion, kind or metadata.name: " + doc.keySet());
                    }
                }
            }
        });
        for (String service : SERVICES) {
            if (map(map(compose.get("services")).get(service)).isEmpty()) {
                problems.add("docker-compose.yml has no service " + service);
            }
        }
        assertNoProblems(problems);
    }

    // 2. kustomization lists exactly the files there are

    @Test
    void kustomizationListsEveryManifestAndOnlyFilesThatExist() {
        Map<String, Object> kustomization = K8S_FILES.get("kustomization.yaml").get(0);
        List<String> problems = new ArrayList<>();
        Set<String> listed = new TreeSet<>();
        for (Object entry : list(kustomization.get("resources"))) {
            String resource = str(entry);
            Path p = k8s.resolve(resource).normalize();
            if (!p.startsWith(k8s)) {
                problems.add("resource outside deploy/k8s: " + resource);
            } else if (Files.isDirectory(p)) {
                problems.add("resource " + resource + " is a folder; this test expects files");
            } else if (!Files.isRegularFile(p)) {
                problems.add("resource " + resource + " does not exist");
            } else if (!listed.add(k8s.relativize(p).toString().replace('\\', '/'))) {
                problems.add("resource " + resource + " is listed twice");
            }
        }
        for (String file : K8S_FILES.keySet()) {
            if (!file.equals("kustomization.yaml") && !listed.contains(file)) {
                problems.add(file + " is not listed in kustomization.yaml resources, so kubectl apply -k would skip it");
            }
        }
        assertNoProblems(problems);
    }

    // 3. every environment variable is a setting the service reads

    @Test
    void everyEnvironmentVariableIsASettingTheServiceReads() {
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            ServiceSettings settings = SETTINGS.get(service);
            Map<String, EnvVar> k8sEnv = k8sEnvironment(service, problems);
            if (k8sEnv.isEmpty()) {
                problems.add("deploy/k8s: no environment for " + service);
            }
            check("deploy/k8s " + service, k8sEnv.keySet(), settings, problems);
            check("docker-compose.yml " + service, composeEnvironment(service).keySet(), settings, problems);
            // JAVA_OPTS replaces the image's options, JAVA_OPTS_APPEND its appended ones (-Dquarkus.http.host=0.0.0.0)
            if (read(settings.dir.resolve("src/main/docker/Dockerfile.jvm")).contains("JAVA_OPTS_APPEND")) {
                for (String name : List.of("JAVA_OPTS", "JAVA_OPTS_APPEND")) {
                    if (k8sEnv.containsKey(name)) {
                        problems.add("deploy/k8s " + service + ": " + name + " would replace the image's JAVA_OPTS_APPEND");
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    private static void check(String where, Set<String> names, ServiceSettings settings, List<String> problems) {
        for (String name : names) {
            if (settings.reads(name)) {
                continue;
            }
            Allowed allowed = ALLOWED.get(name);
            String why = allowed == null
                    ? "matches no property of " + settings.dir.getFileName() + " (application.properties, @ConfigMapping, "
                            + "@ConfigProperty) nor the short list of other variables in this test"
                    : allowed.problem(settings.dir);
            if (why != null) {
                problems.add(where + ": " + name + " " + why);
            }
        }
    }

    /** The derivation itself must be strict, or the check above would pass anything. */
    @Test
    void settingsAreDerivedFromTheServicesAndNothingElse() {
        ServiceSettings consent = SETTINGS.get("consent-service");
        assertTrue(consent.reads("SAMTYKKE_IDENTIFIERS_MASTER_KEY"), "from ConsentConfig (commented out in application.properties)");
        assertTrue(consent.reads("SAMTYKKE_OUTBOX_TOPIC_PARTITIONS"), "from ConsentConfig only");
        assertTrue(consent.reads("QUARKUS_DATASOURCE_REACTIVE_URL"), "from application.properties");
        assertTrue(consent.reads("SAMTYKKE_RATE_LIMIT_TENANTS_BIG_SHOP_BURST"), "a map key");
        assertFalse(consent.reads("SAMTYKKE_IDENTIFIER_MASTER_KEY"));
        assertFalse(consent.reads("SAMTYKKE_OUTBOX_TOPIC_PARTITION"));
        assertFalse(consent.reads("SAMTYKKE_LINKS_SECRET"), "preference-service's, not consent-service's");
        assertFalse(consent.reads("QUARKUS_OIDC_AUTH_SERVER_URL"), "only through the allow-list");
        ServiceSettings audit = SETTINGS.get("audit-service");
        assertTrue(audit.reads("SAMTYKKE_AUDIT_KEY_ENCRYPTION_KEY"));
        assertTrue(audit.reads("SAMTYKKE_AUDIT_SIGNING_KEY_FILE"));
        assertTrue(audit.reads("QUARKUS_FLYWAY_PASSWORD"));
        assertFalse(audit.reads("SAMTYKKE_IDENTIFIERS_MASTER_KEY"));
        ServiceSettings preference = SETTINGS.get("preference-service");
        assertTrue(preference.reads("SAMTYKKE_LINKS_SECRET"));
        assertTrue(preference.reads("SAMTYKKE_SENDS_RETENTION"), "from PreferenceConfig only");
        assertFalse(preference.reads("QUARKUS_FLYWAY_PASSWORD"));
    }

    // 4. ports and probes

    @Test
    void portsAndProbesMatchTheServices() {
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            ServiceSettings settings = SETTINGS.get(service);
            Map<String, EnvVar> env = k8sEnvironment(service, new ArrayList<>());
            String configured = env.containsKey("QUARKUS_HTTP_PORT") ? env.get("QUARKUS_HTTP_PORT").value
                    : settings.property("quarkus.http.port");
            assertNotNull(configured, service + ": no quarkus.http.port");
            int port = Integer.parseInt(configured);
            if ("true".equals(settings.property("quarkus.management.enabled"))) {
                problems.add(service + ": health is on the management port, which this test does not model");
            }
            Map<String, Object> deployment = deployment(service);
            Map<String, Object> pod = map(map(deployment.get("spec")).get("template"));
            Map<String, Object> container = container(service);
            List<Object> ports = list(container.get("ports"));
            if (ports.size() != 1 || !Objects.equals(map(ports.get(0)).get("containerPort"), port)) {
                problems.add(service + ": container ports " + ports + ", expected only " + port);
            }
            checkProbe(service, "readinessProbe", container, port, Set.of("/q/health/ready"), problems);
            checkProbe(service, "livenessProbe", container, port, Set.of("/q/health/live"), problems);
            checkProbe(service, "startupProbe", container, port, Set.of("/q/health/started", "/q/health/live"), problems);
            Map<String, Object> annotations = map(map(pod.get("metadata")).get("annotations"));
            if (!String.valueOf(port).equals(str(annotations.get("prometheus.io/port")))
                    || !"/q/metrics".equals(str(annotations.get("prometheus.io/path")))) {
                problems.add(service + ": prometheus.io annotations " + annotations + " do not name port " + port + " and /q/metrics");
            }
            Map<String, Object> podLabels = map(map(pod.get("metadata")).get("labels"));
            Map<String, Object> svc = only("Service", service, problems);
            if (svc != null) {
                Map<String, Object> spec = map(svc.get("spec"));
                if (!selects(map(spec.get("selector")), podLabels)) {
                    problems.add(service + ": the Service's selector " + spec.get("selector") + " does not select the pods " + podLabels);
                }
                for (Object p : list(spec.get("ports"))) {
                    Object target = map(p).getOrDefault("targetPort", map(p).get("port"));
                    if (!Objects.equals(resolvePort(container, target), port)) {
                        problems.add(service + ": the Service's targetPort " + target + " is not " + port);
                    }
                }
            }
            Map<String, Object> pdb = only("PodDisruptionBudget", service, problems);
            if (pdb != null && !selects(map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")), podLabels)) {
                problems.add(service + ": the PodDisruptionBudget does not select the pods");
            }
            for (Object published : list(map(map(compose.get("services")).get(service)).get("ports"))) {
                String[] parts = str(published).split(":");
                if (!parts[parts.length - 1].equals(String.valueOf(port))) {
                    problems.add("docker-compose.yml " + service + ": port " + published + " does not reach " + port);
                }
            }
        }
        assertNoProblems(problems);
    }

    private static void checkProbe(String service, String probe, Map<String, Object> container, int port,
            Set<String> paths, List<String> problems) {
        Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
        if (get.isEmpty()) {
            problems.add(service + ": no " + probe + " with httpGet");
            return;
        }
        if (!paths.contains(str(get.get("path")))) {
            problems.add(service + ": " + probe + " path " + get.get("path") + ", expected one of " + paths);
        }
        if (!Objects.equals(resolvePort(container, get.get("port")), port)) {
            problems.add(service + ": " + probe + " port " + get.get("port") + " is not " + port);
        }
    }

    // 5. Kafka topics

    @Test
    void kafkaTopicsAreExactlyTheTopicsTheCodeUses() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Object>> declared = new TreeMap<>();
        List<Map<String, Object>> clusters = docs("Kafka");
        assertEquals(1, clusters.size(), "one Kafka resource");
        String cluster = name(clusters.get(0));
        for (Map<String, Object> topic : docs("KafkaTopic")) {
            Map<String, Object> spec = map(topic.get("spec"));
            String topicName = spec.containsKey("topicName") ? str(spec.get("topicName")) : name(topic);
            declared.put(topicName, spec);
            if (!cluster.equals(str(map(map(topic.get("metadata")).get("labels")).get("strimzi.io/cluster")))) {
                problems.add("KafkaTopic " + topicName + " is not labelled strimzi.io/cluster: " + cluster);
            }
            if (!Objects.equals(spec.get("replicas"), 3)
                    || !"2".equals(String.valueOf(map(spec.get("config")).get("min.insync.replicas")))) {
                problems.add("KafkaTopic " + topicName + ": replicas 3 and min.insync.replicas 2 expected (producers use acks=all)");
            }
        }

        Set<String> used = new TreeSet<>();
        for (Field f : Topics.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    used.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        // dead letters of preference-service's projection (ConsentProjection): Topics.deadLetter(its group id)
        for (String service : SERVICES) {
            ServiceSettings settings = SETTINGS.get(service);
            for (String call : settings.arguments("Topics.deadLetter(")) {
                if (service.equals("preference-service") && call.equals("config.projection().groupId()")) {
                    String group = effective(service, "samtykke.projection.group-id");
                    assertNotNull(group, "samtykke.projection.group-id");
                    used.add(Topics.deadLetter(group));
                } else {
                    problems.add(service + ": Topics.deadLetter(" + call + ") is a call this test does not know; teach it");
                }
            }
            // topic names written out in the source instead of taken from Topics
            used.addAll(settings.sourceMatches(Pattern.compile("\"(samtykke\\.(?:dlq\\.[\\w.-]+|[\\w-]+\\.[\\w-]+\\.v\\d+))\""), 1));
            // channels of SmallRye Reactive Messaging
            for (String key : settings.propertyKeys()) {
                Matcher m = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.topic").matcher(key);
                if (!m.matches()) {
                    continue;
                }
                String topic = effective(service, key);
                if ("true".equals(effective(service, "mp.messaging." + m.group(1) + "." + m.group(2) + ".pattern"))) {
                    Pattern p = Pattern.compile(topic);
                    if (declared.keySet().stream().noneMatch(t -> p.matcher(t).matches())) {
                        problems.add(service + ": channel " + m.group(2) + " subscribes to " + topic + ", which matches no KafkaTopic");
                    }
                } else {
                    used.add(topic);
                }
            }
        }
        for (String topic : used) {
            if (!declared.containsKey(topic)) {
                problems.add("no KafkaTopic for " + topic + ", which the code uses (the broker does not auto-create topics)");
            }
        }
        for (String topic : declared.keySet()) {
            if (!used.contains(topic)) {
                problems.add("KafkaTopic " + topic + " is a topic no service uses");
            }
        }
        if (declared.containsKey(Topics.CONSENT_STATE)
                && !"compact".equals(map(declared.get(Topics.CONSENT_STATE).get("config")).get("cleanup.policy"))) {
            problems.add(Topics.CONSENT_STATE + " must be compacted");
        }
        // consent-service's relay creates its four topics when missing (TopicSetup): with the same shape
        String partitions = effective("consent-service", "samtykke.outbox.topic-partitions");
        String replication = effective("consent-service", "samtykke.outbox.topic-replication-factor");
        for (String topic : List.of(Topics.CONSENT_EVENTS, Topics.CONSENT_OPTOUTS, Topics.CONSENT_STATE,
                Topics.CONSENT_CONFIRMATIONS)) {
            Map<String, Object> spec = declared.getOrDefault(topic, Map.of());
            if (!String.valueOf(spec.get("partitions")).equals(partitions)
                    || !String.valueOf(spec.get("replicas")).equals(replication)) {
                problems.add(topic + ": KafkaTopic has " + spec.get("partitions") + " partitions and " + spec.get("replicas")
                        + " replicas, consent-service would create it with " + partitions + " and " + replication);
            }
        }
        assertNoProblems(problems);
    }

    // 6. no secret values

    @Test
    void noSecretValuesAreCommitted() {
        List<String> problems = new ArrayList<>();
        // names of secret values: passwords, secrets, keys (not key files)
        Pattern secretLike = Pattern.compile(".*(PASSWORD|SECRET).*|.*_KEY");
        K8S_FILES.forEach((file, docs) -> {
            for (Map<String, Object> doc : docs) {
                String kind = str(doc.get("kind"));
                if ("Secret".equals(kind) && (!map(doc.get("data")).isEmpty() || !map(doc.get("stringData")).isEmpty())) {
                    problems.add(file + ": Secret " + name(doc) + " holds values; create it with kubectl instead (README.md)");
                }
                if ("ConfigMap".equals(kind)) {
                    for (String key : map(doc.get("data")).keySet()) {
                        if (secretLike.matcher(key).matches()) {
                            problems.add(file + ": ConfigMap " + name(doc) + " holds " + key + ", which looks like a secret");
                        }
                    }
                }
            }
        });
        for (String service : SERVICES) {
            k8sEnvironment(service, problems).forEach((name, var) -> {
                if (secretLike.matcher(name).matches() && !var.fromSecret) {
                    problems.add("deploy/k8s " + service + ": " + name + " does not come from a Secret (secretKeyRef)");
                }
            });
        }
        assertNoProblems(problems);
    }

    // and: images overridable, pods locked down

    @Test
    void imagesCanBeSetThroughKustomize() {
        Set<String> overridable = list(K8S_FILES.get("kustomization.yaml").get(0).get("images")).stream()
                .map(i -> str(map(i).get("name"))).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            String image = str(container(service).get("image"));
            String repository = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
            if (!overridable.contains(repository)) {
                problems.add(service + ": image " + repository + " is not in kustomization.yaml images");
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void podsRunAsNonRootWithAReadOnlyRootFilesystem() {
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            Map<String, Object> spec = map(map(map(deployment(service).get("spec")).get("template")).get("spec"));
            Map<String, Object> container = container(service);
            Map<String, Object> sc = map(container.get("securityContext"));
            if (!Boolean.TRUE.equals(map(spec.get("securityContext")).get("runAsNonRoot"))
                    && !Boolean.TRUE.equals(sc.get("runAsNonRoot"))) {
                problems.add(service + ": runAsNonRoot is not set");
            }
            if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem")) || !Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))
                    || !list(map(sc.get("capabilities")).get("drop")).contains("ALL")) {
                problems.add(service + ": expected readOnlyRootFilesystem, no privilege escalation, all capabilities dropped");
            }
            boolean tmp = list(container.get("volumeMounts")).stream().anyMatch(m -> "/tmp".equals(str(map(m).get("mountPath"))));
            if (!tmp) {
                problems.add(service + ": a read-only root file system needs a volume at /tmp");
            }
            Object replicas = map(deployment(service).get("spec")).get("replicas");
            if (!(replicas instanceof Integer r) || r < 2) {
                problems.add(service + ": replicas " + replicas + ", expected at least 2");
            }
        }
        assertNoProblems(problems);
    }

    // what the services read

    /** The settings one service reads, as environment variable names (exact, or patterns for map keys). */
    static final class ServiceSettings {
        final Path dir;
        private final Properties properties = new Properties();
        private final Set<String> envNames = new TreeSet<>();
        private final List<Pattern> envPatterns = new ArrayList<>();
        private final List<String> sources = new ArrayList<>();

        private ServiceSettings(Path dir) {
            this.dir = dir;
        }

        static ServiceSettings of(Path dir) throws IOException {
            ServiceSettings s = new ServiceSettings(dir);
            try (Reader r = Files.newBufferedReader(dir.resolve("src/main/resources/application.properties"))) {
                s.properties.load(r);
            }
            for (String key : s.properties.stringPropertyNames()) {
                // %test.foo.bar names the property foo.bar (in the test profile)
                s.envNames.add(env(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key));
            }
            // every service depends on service-kit, whose mappings (rate limits, ...) it reads too
            for (Path java : List.of(dir.resolve("src/main/java"), dir.resolveSibling("service-kit").resolve("src/main/java"))) {
                try (Stream<Path> files = Files.walk(java)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                        s.sources.add(read(f));
                    }
                }
            }
            Pattern configProperty = Pattern.compile("@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
            for (String name : s.sourceMatches(configProperty, 1)) {
                s.envNames.add(env(name));
            }
            for (String source : s.sources) {
                if (source.contains("@ConfigMapping")) {
                    for (List<String> path : ConfigMappings.properties(source)) {
                        if (path.contains("*")) {
                            String regex = path.stream().map(seg -> seg.equals("*") ? "[A-Z0-9_]+" : Pattern.quote(env(seg)))
                                    .collect(Collectors.joining("_"));
                            s.envPatterns.add(Pattern.compile(regex));
                        } else {
                            s.envNames.add(env(String.join(".", path)));
                        }
                    }
                }
            }
            return s;
        }

        boolean reads(String envName) {
            return envNames.contains(envName) || envPatterns.stream().anyMatch(p -> p.matcher(envName).matches());
        }

        /** A property's value in application.properties, without profile. */
        String property(String key) {
            return properties.getProperty(key);
        }

        Set<String> propertyKeys() {
            return properties.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).collect(Collectors.toSet());
        }

        /** The argument text of every call that starts with {@code call} (ending in its open parenthesis). */
        Set<String> arguments(String call) {
            Set<String> found = new TreeSet<>();
            for (String source : sources) {
                for (int at = source.indexOf(call); at >= 0; at = source.indexOf(call, at + 1)) {
                    int start = at + call.length();
                    int depth = 1;
                    int i = start;
                    while (depth > 0) {
                        char c = source.charAt(i++);
                        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    }
                    found.add(source.substring(start, i - 1).trim());
                }
            }
            return found;
        }

        Set<String> sourceMatches(Pattern pattern, int group) {
            Set<String> found = new TreeSet<>();
            for (String source : sources) {
                Matcher m = pattern.matcher(source);
                while (m.find()) {
                    found.add(m.group(group).trim());
                }
            }
            return found;
        }
    }

    /**
     * Property names of the {@code @ConfigMapping} interfaces in one source file, as SmallRye Config names
     * them: {@code prefix.method-name}, nested interfaces add a level, a {@code Map} key is "*". The file's
     * nested interfaces are resolved by simple name; renaming annotations are refused rather than guessed.
     */
    static final class ConfigMappings {

        record Method(String type, String name) {
        }

        static List<List<String>> properties(String source) {
            String code = withoutComments(source, false);
            for (String unsupported : List.of("@WithName", "@WithParentName", "@WithUnnamedKey")) {
                if (code.contains(unsupported)) {
                    throw new AssertionError(unsupported + " is used; teach DeploymentFilesTest.ConfigMappings about it");
                }
            }
            Matcher root = Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)[^{]*?\\binterface\\s+(\\w+)")
                    .matcher(code);
            if (!root.find()) {
                throw new AssertionError("cannot read the @ConfigMapping declaration in:\n" + code);
            }
            // strings and annotations out, then interfaces and their abstract methods by brace depth
            String plain = withoutComments(source, true).replaceAll("@[\\w.]+(\\s*\\([^)]*\\))?", " ");
            Map<String, List<Method>> interfaces = new HashMap<>();
            Deque<String> open = new ArrayDeque<>();
            StringBuilder statement = new StringBuilder();
            Pattern method = Pattern.compile("^\\s*(?:public\\s+)?([\\w.<>,?\\s\\[\\]]+?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*$", Pattern.DOTALL);
            for (char c : plain.toCharArray()) {
                if (c == '{') {
                    Matcher m = Pattern.compile("\\binterface\\s+(\\w+)").matcher(statement);
                    String name = m.find() ? m.group(1) : "";
                    if (!name.isEmpty() && interfaces.putIfAbsent(name, new ArrayList<>()) != null) {
                        throw new AssertionError("two interfaces named " + name + " in one file");
                    }
                    open.push(name);
                    statement.setLength(0);
                } else if (c == '}') {
                    open.pop();
                    statement.setLength(0);
                } else if (c == ';') {
                    if (!open.isEmpty() && !open.peek().isEmpty()) {
                        Matcher m = method.matcher(statement);
                        if (m.matches() && !m.group(1).contains("default") && !m.group(1).contains("static")) {
                            List<Method> methods = interfaces.get(open.peek());
                            Method found = new Method(m.group(1).replaceAll("\\s+", ""), m.group(2));
                            if (!methods.contains(found)) {
                                methods.add(found);
                            }
                        }
                    }
                    statement.setLength(0);
                } else {
                    statement.append(c);
                }
            }
            List<List<String>> out = new ArrayList<>();
            walk(List.of(root.group(1).split("\\.")), root.group(2), interfaces, out, new HashSet<>());
            return out;
        }

        /** The source without comments; with {@code emptyStrings}, string and char literals are emptied too. */
        static String withoutComments(String source, boolean emptyStrings) {
            StringBuilder out = new StringBuilder(source.length());
            int i = 0;
            while (i < source.length()) {
                char c = source.charAt(i);
                if (source.startsWith("//", i)) {
                    while (i < source.length() && source.charAt(i) != '\n') {
                        i++;
                    }
                } else if (source.startsWith("/*", i)) {
                    int end = source.indexOf("*/", i + 2);
                    i = end < 0 ? source.length() : end + 2;
                    out.append(' ');
                } else if (c == '"' || c == '\'') {
                    String quote = source.startsWith("\"\"\"", i) ? "\"\"\"" : String.valueOf(c);
                    int end = i + quote.length();
                    while (end < source.length() && !source.startsWith(quote, end)) {
                        end += source.charAt(end) == '\\' ? 2 : 1;
                    }
                    end = Math.min(end + quote.length(), source.length());
                    out.append(emptyStrings ? quote + quote : source.substring(i, end));
                    i = end;
                } else {
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }

        private static void walk(List<String> prefix, String iface, Map<String, List<Method>> interfaces,
                List<List<String>> out, Set<String> path) {
            if (!path.add(iface)) {
                throw new AssertionError("recursive config mapping " + iface);
            }
            for (Method m : interfaces.get(iface)) {
                List<String> name = new ArrayList<>(prefix);
                name.add(m.name().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
                String type = unwrap(m.type(), "Optional");
                if (type.startsWith("Map<")) {
                    name.add("*");
                    type = type.substring(type.indexOf(',') + 1, type.length() - 1);
                }
                String simple = type.substring(type.lastIndexOf('.') + 1);
                if (interfaces.containsKey(simple)) {
                    walk(name, simple, interfaces, out, path);
                } else {
                    out.add(name);
                }
            }
            path.remove(iface);
        }

        private static String unwrap(String type, String wrapper) {
            return type.startsWith(wrapper + "<") ? type.substring(wrapper.length() + 1, type.length() - 1) : type;
        }
    }

    /** Quarkus's environment variable name of a property: upper case, every other character an underscore. */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    // what the deployment files set

    record EnvVar(String value, boolean fromSecret) {
    }

    /** The container's environment: env entries and every key of the ConfigMaps it takes with envFrom. */
    private static Map<String, EnvVar> k8sEnvironment(String service, List<String> problems) {
        Map<String, EnvVar> env = new TreeMap<>();
        Map<String, Object> container = container(service);
        for (Object from : list(container.get("envFrom"))) {
            Map<String, Object> source = map(from);
            String prefix = Objects.toString(source.get("prefix"), "");
            if (source.containsKey("configMapRef")) {
                String cm = str(map(source.get("configMapRef")).get("name"));
                List<Map<String, Object>> found = docs("ConfigMap").stream().filter(d -> cm.equals(name(d))).toList();
                if (found.size() != 1) {
                    problems.add(service + ": envFrom names ConfigMap " + cm + ", which deploy/k8s does not hold once");
                    continue;
                }
                map(found.get(0).get("data")).forEach((k, v) -> env.put(prefix + k, new EnvVar(str(v), false)));
            } else {
                problems.add(service + ": envFrom " + source.keySet() + ": its names cannot be checked; use env with secretKeyRef");
            }
        }
        for (Object e : list(container.get("env"))) {
            Map<String, Object> var = map(e);
            boolean secret = map(var.get("valueFrom")).containsKey("secretKeyRef");
            env.put(str(var.get("name")), new EnvVar(str(var.get("value")), secret));
        }
        return env;
    }

    private static Map<String, Object> composeEnvironment(String service) {
        Object environment = map(map(compose.get("services")).get(service)).get("environment");
        Map<String, Object> env = new TreeMap<>();
        if (environment instanceof List<?> entries) {
            for (Object entry : entries) {
                String s = str(entry);
                env.put(s.contains("=") ? s.substring(0, s.indexOf('=')) : s, s.contains("=") ? s.substring(s.indexOf('=') + 1) : null);
            }
        } else {
            env.putAll(map(environment));
        }
        return env;
    }

    /** The value a service runs with in Kubernetes: its environment there, else application.properties. */
    private static String effective(String service, String property) {
        EnvVar var = k8sEnvironment(service, new ArrayList<>()).get(env(property));
        return var != null && var.value() != null ? var.value() : SETTINGS.get(service).property(property);
    }

    private static Map<String, Object> deployment(String service) {
        List<Map<String, Object>> found = docs("Deployment").stream().filter(d -> service.equals(name(d))).toList();
        assertEquals(1, found.size(), "Deployments named " + service);
        return found.get(0);
    }

    private static Map<String, Object> container(String service) {
        List<Object> containers = list(map(map(map(deployment(service).get("spec")).get("template")).get("spec")).get("containers"));
        List<Map<String, Object>> found = containers.stream().map(DeploymentFilesTest::map)
                .filter(c -> containers.size() == 1 || service.equals(name(c))).toList();
        assertEquals(1, found.size(), service + ": its container");
        return found.get(0);
    }

    private static Map<String, Object> only(String kind, String name, List<String> problems) {
        List<Map<String, Object>> found = docs(kind).stream().filter(d -> name.equals(name(d))).toList();
        if (found.size() != 1) {
            problems.add(found.size() + " " + kind + " named " + name + ", expected 1");
            return null;
        }
        return found.get(0);
    }

    private static Object resolvePort(Map<String, Object> container, Object port) {
        if (port instanceof String named) {
            return list(container.get("ports")).stream().map(DeploymentFilesTest::map)
                    .filter(p -> named.equals(p.get("name"))).map(p -> p.get("containerPort")).findFirst().orElse(null);
        }
        return port;
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    private static List<Map<String, Object>> docs(String kind) {
        return K8S_FILES.entrySet().stream().filter(e -> !e.getKey().equals("kustomization.yaml"))
                .flatMap(e -> e.getValue().stream()).filter(d -> kind.equals(d.get("kind"))).toList();
    }

    // plumbing

    private static Path findRepositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("docker-compose.yml"))) {
                return p;
            }
        }
        throw new AssertionError("no folder with mvnw and docker-compose.yml above " + dir);
    }

    private static List<Map<String, Object>> parseAll(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                if (doc != null) {
                    if (!(doc instanceof Map)) {
                        throw new AssertionError(file + ": a document that is not a mapping");
                    }
                    docs.add(map(doc));
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
        }
        return docs;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static String name(Map<String, Object> doc) {
        return doc.containsKey("metadata") ? str(map(doc.get("metadata")).get("name")) : str(doc.get("name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List ? (List<Object>) o : List.of();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
