package io.carve.pool.bench.report;

import io.carve.pool.bench.harness.FragmentationResult;
import io.carve.pool.bench.harness.MemoryMap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code index.html}: the tables, an occupancy-over-time chart per workload (one line per allocator
 * and the trace's live bytes) and a memory map at peak per Carve variant, all inline SVG, no external
 * resources.
 */
public final class HtmlReport
{
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"};
    private static final int CHART_WIDTH = 900;
    private static final int CHART_HEIGHT = 320;
    private static final int MARGIN = 50;
    private static final int MAP_WIDTH = 900;
    private static final int MAP_HEIGHT = 26;

    private HtmlReport()
    {
    }

    /**
     * Writes the report.
     *
     * @param run the run.
     * @param dir the output folder (created if needed).
     * @return the path of {@code index.html}.
     * @throws IOException if writing fails.
     */
    public static Path write(final RunResult run, final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final Path index = dir.resolve("index.html");
        Files.writeString(index, render(run), StandardCharsets.UTF_8);
        return index;
    }

    /**
     * Renders the report.
     *
     * @param run the run.
     * @return the HTML.
     */
    public static String render(final RunResult run)
    {
        final StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Carve benchmark report</title>\n")
            .append("<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;")
            .append("font-size:90%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}")
            .append("td:first-child,th:first-child{text-align:left}tr.carve{background:#eef6ff}")
            .append(".settings{font-size:80%;color:#444}svg{background:#fafafa;border:1px solid #ddd}</style>\n")
            .append("</head><body>\n<h1>Carve benchmark report</h1>\n");
        h.append("<p>").append(esc(run.date())).append(" &middot; ").append(esc(run.machine())).append("</p>\n");
        h.append("<p class=\"settings\">").append(esc(run.settings())).append("</p>\n");
        h.append("<h2>Summary</h2>\n<ul>\n");
        for (final String line : Findings.speedups(run))
        {
            h.append("<li>").append(esc(line)).append("</li>\n");
        }
        h.append("</ul>\n<h2>Where Carve loses</h2>\n<ul>\n");
        for (final String line : Findings.losses(run))
        {
            h.append("<li>").append(esc(line)).append("</li>\n");
        }
        h.append("</ul>\n<p class=\"settings\">Columns: ns/op = median of the timed replays (per event, or per "
            + "allocate+free pair for scaling); held/live = peak bytes the allocator held (Carve: policy-used bytes; "
            + "Netty: used direct memory) over peak live requested bytes; mincap/live = smallest Carve pool capacity "
            + "(1 MiB resolution) that replays the trace without a failure, over peak live bytes; heap eff. = live "
            + "requested bytes at the first failure in a pool of half the peak live bytes, over that capacity; "
            + "int. waste = held over requested bytes at the peak, minus 1; ext. frag = 1 - largest free extent / "
            + "free bytes at the peak. n/a = the allocator does not show it.</p>\n");
        for (final WorkloadResult workload : run.workloads())
        {
            workload(h, workload);
        }
        h.append("<h2>Settings of every allocator</h2>\n<ul class=\"settings\">\n");
        final java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (final WorkloadResult workload : run.workloads())
        {
            for (final Row row : workload.rows())
            {
                if (seen.add(row.allocator()))
                {
                    h.append("<li><b>").append(esc(row.allocator())).append("</b>: ").append(esc(row.settings()))
                        .append("</li>\n");
                }
            }
        }
        h.append("</ul>\n</body></html>\n");
        return h.toString();
    }

    private static void workload(final StringBuilder h, final WorkloadResult workload)
    {
        h.append("<h2 id=\"").append(esc(workload.name())).append("\">").append(esc(workload.name())).append("</h2>\n");
        h.append("<p>").append(esc(workload.description())).append("</p>\n<table>\n<tr>");
        for (final String header : TextTable.HEADERS)
        {
            h.append("<th>").append(esc(header)).append("</th>");
        }
        h.append("</tr>\n");
        for (final Row row : workload.rows())
        {
            h.append("<tr class=\"").append(row.isCarve() ? "carve" : "peer").append("\">");
            for (final String cell : TextTable.cells(row))
            {
                h.append("<td>").append(esc(cell)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        boolean anySeries = false;
        for (final Row row : workload.rows())
        {
            anySeries |= row.fragmentation() != null;
        }
        if (anySeries)
        {
            h.append("<h3>Occupancy over time</h3>\n");
            occupancyChart(h, workload);
            h.append("<h3>Memory map of each Carve pool at the peak of live bytes</h3>\n");
            h.append("<p class=\"settings\">Live segments in colour, free space grey, along the pool's address range "
                + "(the timing pool's capacity).</p>\n");
            for (final Row row : workload.rows())
            {
                final FragmentationResult f = row.fragmentation();
                if (f != null && f.mapAtPeak() != null)
                {
                    memoryMap(h, row.allocator(), f.mapAtPeak());
                }
            }
        }
    }

    static void occupancyChart(final StringBuilder h, final WorkloadResult workload)
    {
        long max = 1;
        int points = 1;
        int perSample = 1;
        long[] live = null;
        for (final Row row : workload.rows())
        {
            final FragmentationResult f = row.fragmentation();
            if (f != null)
            {
                for (final long v : f.occupancySeries())
                {
                    max = Math.max(max, v);
                }
                points = Math.max(points, f.occupancySeries().length);
                perSample = f.eventsPerSample();
                live = f.liveSeries();
            }
        }
        final int plotW = CHART_WIDTH - 2 * MARGIN;
        final int plotH = CHART_HEIGHT - 2 * MARGIN;
        h.append("<svg class=\"occupancy\" width=\"").append(CHART_WIDTH + 200).append("\" height=\"").append(CHART_HEIGHT)
            .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        h.append("<line x1=\"").append(MARGIN).append("\" y1=\"").append(MARGIN + plotH).append("\" x2=\"")
            .append(MARGIN + plotW).append("\" y2=\"").append(MARGIN + plotH).append("\" stroke=\"#000\"/>\n");
        h.append("<line x1=\"").append(MARGIN).append("\" y1=\"").append(MARGIN).append("\" x2=\"").append(MARGIN)
            .append("\" y2=\"").append(MARGIN + plotH).append("\" stroke=\"#000\"/>\n");
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s MiB</text>\n",
            2, MARGIN - 8, Format.mib(max)));
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">event %d</text>\n",
            MARGIN + plotW - 60, MARGIN + plotH + 16, (long)points * perSample));
        int colour = 0;
        int legendY = MARGIN;
        if (live != null)
        {
            polyline(h, live, max, points, plotW, plotH, "#000", "4,3");
            legend(h, "live requested", "#000", legendY);
            legendY += 16;
        }
        for (final Row row : workload.rows())
        {
            final FragmentationResult f = row.fragmentation();
            if (f == null || !f.showsOccupancy())
            {
                continue;
            }
            final String c = COLOURS[colour++ % COLOURS.length];
            polyline(h, f.occupancySeries(), max, points, plotW, plotH, c, null);
            legend(h, row.allocator(), c, legendY);
            legendY += 16;
        }
        h.append("</svg>\n");
    }

    private static void polyline(
        final StringBuilder h,
        final long[] series,
        final long max,
        final int points,
        final int plotW,
        final int plotH,
        final String colour,
        final String dash)
    {
        h.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\"");
        if (dash != null)
        {
            h.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        h.append(" points=\"");
        for (int i = 0; i < series.length; i++)
        {
            final double x = MARGIN + (points <= 1 ? 0 : (double)i * plotW / (points - 1));
            final double y = MARGIN + plotH - (double)series[i] * plotH / max;
            h.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        h.append("\"/>\n");
    }

    private static void legend(final StringBuilder h, final String name, final String colour, final int y)
    {
        h.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
            CHART_WIDTH - 10, y - 4, colour, CHART_WIDTH + 6, y, esc(name)));
    }

    static void memoryMap(final StringBuilder h, final String name, final MemoryMap map)
    {
        final double scale = (double)MAP_WIDTH / map.capacity();
        h.append(String.format(Locale.ROOT,
            "<div>%s: %d live segments, %s MiB live of %s MiB, largest free extent %s MiB, external fragmentation %s</div>\n",
            esc(name), map.size(), Format.mib(map.liveBytes()), Format.mib(map.capacity()),
            Format.mib(map.largestFreeExtent()), Format.percent(map.externalFragmentation())));
        h.append("<svg class=\"memory-map\" width=\"").append(MAP_WIDTH).append("\" height=\"").append(MAP_HEIGHT)
            .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        h.append("<rect x=\"0\" y=\"0\" width=\"").append(MAP_WIDTH).append("\" height=\"").append(MAP_HEIGHT)
            .append("\" fill=\"#ddd\"/>\n");
        // Merge extents closer than a pixel so that a map of many segments stays small.
        double runStart = -1;
        double runEnd = -1;
        final List<double[]> runs = new java.util.ArrayList<>();
        for (int i = 0; i < map.size(); i++)
        {
            final double x0 = map.offset(i) * scale;
            final double x1 = (map.offset(i) + map.length(i)) * scale;
            if (runStart >= 0 && x0 - runEnd < 0.5)
            {
                runEnd = x1;
            }
            else
            {
                if (runStart >= 0)
                {
                    runs.add(new double[] {runStart, runEnd});
                }
                runStart = x0;
                runEnd = x1;
            }
        }
        if (runStart >= 0)
        {
            runs.add(new double[] {runStart, runEnd});
        }
        int i = 0;
        for (final double[] run : runs)
        {
            h.append(String.format(Locale.ROOT,
                "<rect class=\"live\" x=\"%.2f\" y=\"1\" width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.3\"/>\n",
                run[0], Math.max(0.5, run[1] - run[0]), MAP_HEIGHT - 2, COLOURS[i++ % 2 == 0 ? 0 : 9]));
        }
        h.append("</svg>\n");
    }

    static String esc(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
