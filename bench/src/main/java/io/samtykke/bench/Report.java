package io.samtykke.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a throughput run hands back: the table rows (figure, baseline in the same run, ratio, target, PASS/FAIL), every
 * open-loop search, other measurements for the JSON, and a PNG per benchmark. Written once at the end of
 * {@link ThroughputBench}, so the README table always comes from one run.
 */
final class Report {

    /** One line of the table; {@code ratio} is NaN where the row has a bound rather than a baseline. */
    record Row(String benchmark, String figure, double value, String baseline, double baselineValue, double ratio,
               String target, boolean pass) {

        String line() {
            return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", benchmark, figure, baseline,
                    Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2fx", ratio), target, pass ? "PASS" : "FAIL");
        }
    }

    /** The rows by benchmark key (read, write, cluster, ...), written in the order of {@link #order}. */
    private final Map<String, List<Row>> rows = new LinkedHashMap<>();
    private final List<String> order;
    final List<OpenLoop.Search> searches = new ArrayList<>();
    /** Measurements that are not open-loop searches (lags, latencies, timings), by benchmark. */
    final Map<String, Object> details = new LinkedHashMap<>();
    private final List<Runnable> charts = new ArrayList<>();

    Report(List<String> order) {
        this.order = order;
    }

    /** A row comparing two max rates: ratio ours / baseline, at least {@code target}. */
    Row rates(String key, String benchmark, OpenLoop.Search ours, String baselineName, OpenLoop.Search baseline, double target) {
        double value = rate(ours);
        double base = rate(baseline);
        // no rate held by either side: no ratio to report, and the row fails (it is not measured, not good)
        double ratio = base == 0 || value == 0 ? Double.NaN : value / base;
        return add(key, new Row(benchmark, figure(ours), value, baselineName + ": " + (base == 0 ? "no rate held" : String.format(Locale.ROOT,
                "%,.0f/s", base)), base, ratio, String.format(Locale.ROOT, ">= %.2fx", target), ratio >= target));
    }

    Row add(String key, Row row) {
        rows.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        System.out.println(row.line());
        return row;
    }

    /** The max rate and its p99, or why there is none. */
    static String figure(OpenLoop.Search s) {
        return s == null || s.best() == null ? "no rate held within the p99 bound"
                : String.format(Locale.ROOT, "%,.0f/s, p99 %.1f ms", s.best().achievedPerSecond(), s.best().p99());
    }

    static double rate(OpenLoop.Search s) {
        return s == null || s.best() == null ? 0 : s.best().achievedPerSecond();
    }

    /** A bar chart of named values (for the measurements that are not rate searches). */
    void bars(String name, String yTitle, Map<String, Double> values) {
        charts.add(() -> {
            CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(name).yAxisTitle(yTitle).build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setXAxisLabelRotation(20);
            chart.addSeries(name, new ArrayList<>(values.keySet()), new ArrayList<>(values.values()));
            save(chart, name);
        });
    }

    private Path pngFolder;
    private String pngDate;

    private void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String name) {
        try {
            BitmapEncoder.saveBitmap(chart, pngFolder.resolve(pngDate + "-" + slug(name)).toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes bench/results/&lt;date&gt;-throughput.json, the PNGs, and (when {@code readme}, a run of all benchmarks) the
     * table in bench/README.md; a selection writes &lt;date&gt;-selection-* files, so it never replaces a full run's.
     */
    void write(Path root, Map<String, Object> settings, String description, boolean readme) throws Exception {
        String date = LocalDate.now().toString();
        pngFolder = root.resolve("bench").resolve("results");
        pngDate = readme ? date : date + "-selection";
        Files.createDirectories(pngFolder);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("date", Instant.now().toString());
        json.putAll(settings);
        List<Row> table = new ArrayList<>();
        order.forEach(key -> table.addAll(rows.getOrDefault(key, List.of())));
        json.put("rows", table);
        json.put("searches", searches);
        json.put("details", details);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(pngFolder.resolve(pngDate + "-throughput.json").toFile(), json);
        for (OpenLoop.Search s : searches) {
            plot(s);
        }
        charts.forEach(Runnable::run);
        StringBuilder markdown = new StringBuilder("| benchmark | samtykke | baseline in the same run | ratio | target | |\n|---|---|---|---|---|---|\n");
        table.forEach(r -> markdown.append(r.line()).append('\n'));
        System.out.println();
        System.out.print(markdown);
        if (readme) {
            updateReadme(root.resolve("bench").resolve("README.md"), date + ", " + description, markdown.toString());
        }
        System.out.println("results: " + pngFolder.resolve(pngDate + "-throughput.json") + " and one PNG per benchmark");
    }

    /** Latency percentiles per offered rate, and completions per second of the best step. */
    private void plot(OpenLoop.Search s) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(s.name() + ": latency by offered rate")
                .xAxisTitle("offered rate (requests/s)").yAxisTitle("latency (ms)").build();
        List<OpenLoop.Step> steps = s.steps().stream().sorted(Comparator.comparingDouble(OpenLoop.Step::offeredPerSecond)).toList();
        List<Double> x = steps.stream().map(OpenLoop.Step::offeredPerSecond).toList();
        chart.addSeries("p50", x, steps.stream().map(OpenLoop.Step::p50).toList());
        chart.addSeries("p90", x, steps.stream().map(OpenLoop.Step::p90).toList());
        chart.addSeries("p99", x, steps.stream().map(OpenLoop.Step::p99).toList());
        chart.getStyler().setYAxisLogarithmic(true);
        XYChart throughput = new XYChartBuilder().width(900).height(300).title(s.name() + ": completions per second, best step")
                .xAxisTitle("second").yAxisTitle("requests/s").build();
        if (s.best() != null && !s.best().perSecond().isEmpty()) {
            List<Integer> seconds = new ArrayList<>();
            for (int i = 0; i < s.best().perSecond().size(); i++) {
                seconds.add(i);
            }
            throughput.addSeries("completed", seconds, s.best().perSecond());
        } else {
            throughput.addSeries("completed", List.of(0), List.of(0));
        }
        save(chart, s.name());
        save(throughput, s.name() + "-throughput");
    }

    static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /** Replaces the table between the markers in bench/README.md with this run's. */
    private static void updateReadme(Path readme, String run, String table) throws Exception {
        String text = Files.readString(readme);
        String begin = "<!-- throughput:begin -->";
        String end = "<!-- throughput:end -->";
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        if (a < 0 || b < a) {
            return;
        }
        String latest = begin + "\nLatest run (" + run + "; written by the bench):\n\n" + table + "\n";
        Files.writeString(readme, text.substring(0, a) + latest + text.substring(b));
    }
}
