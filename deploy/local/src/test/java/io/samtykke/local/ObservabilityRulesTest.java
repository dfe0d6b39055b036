package io.samtykke.local;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus rules in deploy/observability are valid (promtool check rules), fire on the series of a
 * broken cluster and stay quiet on a healthy one (promtool test rules over alerts-test.yaml). That every
 * metric a rule or a dashboard panel names is exposed by a running service is FreshStartIT's part.
 */
class ObservabilityRulesTest {

    private static final Path DIR = observability();

    private static Path observability() {
        try {
            return LocalCluster.repoRoot().resolve("deploy/observability");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        String out = promtool("check", "rules", DIR.resolve("alerts.yaml").toString());
        int rules = 0;
        for (Object group : (List<?>) ((Map<?, ?>) new Yaml().load(Files.readString(DIR.resolve("alerts.yaml")))).get("groups")) {
            rules += ((List<?>) ((Map<?, ?>) group).get("rules")).size();
        }
        assertTrue(out.contains("SUCCESS: " + rules + " rules found"), out);
    }

    @Test
    void theRulesFireOnABrokenClusterAndNotOnAHealthyOne() throws Exception {
        String out = promtool("test", "rules", DIR.resolve("alerts-test.yaml").toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void metricNamesAreReadFromExpressionsAsPrometheusWould() {
        assertEquals(Set.of("http_server_requests_seconds_count"), FreshStartIT.metricNames(
                "sum by (job) (rate(http_server_requests_seconds_count{status=~\"5..\"}[5m])) / sum by (job) (rate(http_server_requests_seconds_count[5m])) > 0.01"));
        assertEquals(Set.of("samtykke_audit_checkpoint_lag_seconds", "up"), FreshStartIT.metricNames(
                "max without (instance) (samtykke_audit_checkpoint_lag_seconds{quantile=\"0.99\"}) > 1 and on (job) up == 1"));
    }

    @Test
    void everyDashboardPanelHasAQuery() throws Exception {
        Map<?, ?> dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                DIR.resolve("grafana-dashboard.json").toFile(), Map.class);
        List<?> panels = (List<?>) dashboard.get("panels");
        assertTrue(panels.size() >= 15, "panels: " + panels.size());
        for (Object p : panels) {
            List<?> targets = (List<?>) ((Map<?, ?>) p).get("targets");
            assertTrue(targets != null && !targets.isEmpty() && !String.valueOf(((Map<?, ?>) targets.get(0)).get("expr")).isBlank(),
                    "panel without a query: " + ((Map<?, ?>) p).get("title"));
        }
    }

    private static String promtool(String... args) throws Exception {
        boolean found = false;
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "").split(java.io.File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(dir, "promtool"));
        }
        Assumptions.assumeTrue(found, "SKIPPED LOUDLY: promtool is not on the PATH (.ci/run installs Debian's prometheus package)");
        List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }
}
