package io.carve.pool.bench.report;

import io.carve.pool.bench.harness.FragmentationResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side table printed on stdout: one block per workload, one line per allocator.
 */
public final class TextTable
{
    /** Column headers. */
    static final String[] HEADERS = {"allocator", "ns/op", "fails", "held/live", "mincap/live", "heap eff.",
        "int. waste", "ext. frag"};

    private TextTable()
    {
    }

    /**
     * Renders the run.
     *
     * @param run the run.
     * @return the table as text.
     */
    public static String render(final RunResult run)
    {
        final StringBuilder out = new StringBuilder();
        for (final WorkloadResult workload : run.workloads())
        {
            out.append("== ").append(workload.name()).append(": ").append(workload.description()).append('\n');
            if (workload.peakLiveBytes() > 0)
            {
                out.append("   peak live ").append(Format.mib(workload.peakLiveBytes())).append(" MiB; ns/op is per ")
                    .append(workload.unit()).append('\n');
            }
            else
            {
                out.append("   ns/op is per ").append(workload.unit()).append('\n');
            }
            final List<String[]> lines = new ArrayList<>();
            lines.add(HEADERS);
            for (final Row row : workload.rows())
            {
                lines.add(cells(row));
            }
            final int[] widths = new int[HEADERS.length];
            for (final String[] line : lines)
            {
                for (int i = 0; i < line.length; i++)
                {
                    widths[i] = Math.max(widths[i], line[i].length());
                }
            }
            for (final String[] line : lines)
            {
                out.append("   ");
                for (int i = 0; i < line.length; i++)
                {
                    final String format = i == 0 ? "%-" + widths[i] + "s" : "  %" + widths[i] + "s";
                    out.append(String.format(Locale.ROOT, format, line[i]));
                }
                out.append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String[] cells(final Row row)
    {
        final FragmentationResult f = row.fragmentation();
        return new String[] {
            row.allocator(),
            Format.ns(row.nsPerEvent()),
            Integer.toString(row.failures()),
            f == null ? "-" : Format.ratio(f.peakOccupancyRatio()),
            f == null ? "-" : Format.ratio(f.footprintRatio()),
            f == null ? "-" : Format.percent(f.heapEfficiency()),
            f == null ? "-" : Format.percent(f.internalWasteAtPeak()),
            f == null ? "-" : Format.percent(f.externalFragmentationAtPeak())};
    }
}
