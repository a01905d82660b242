package io.carve.pool.bench.report;

import io.carve.pool.bench.harness.FragmentationResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the numbers as {@code results.csv} and {@code results.json}.
 */
public final class DataWriter
{
    private static final String CSV_HEADER = "workload,allocator,kind,ns_per_op,unit,failures,peak_live_bytes,"
        + "peak_held_bytes,held_over_live,min_capacity,min_capacity_over_live,fill_capacity,heap_efficiency,"
        + "internal_waste_at_peak,external_fragmentation_at_peak";

    private DataWriter()
    {
    }

    /**
     * Writes both files.
     *
     * @param run the run.
     * @param dir the output folder.
     * @throws IOException if writing fails.
     */
    public static void write(final RunResult run, final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.csv"), csv(run), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.json"), json(run), StandardCharsets.UTF_8);
    }

    static String csv(final RunResult run)
    {
        final StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (final WorkloadResult workload : run.workloads())
        {
            for (final Row row : workload.rows())
            {
                final FragmentationResult f = row.fragmentation();
                out.append(workload.name()).append(',').append(row.allocator()).append(',').append(row.kind())
                    .append(',').append(Format.number(row.nsPerEvent())).append(',').append(workload.unit())
                    .append(',').append(row.failures()).append(',').append(workload.peakLiveBytes()).append(',');
                if (f == null)
                {
                    out.append(",,,,,,,,");
                }
                else
                {
                    out.append(f.showsOccupancy() ? Long.toString(f.peakOccupancy()) : "").append(',')
                        .append(blank(f.peakOccupancyRatio())).append(',')
                        .append(f.minCapacity() < 0 ? "" : Long.toString(f.minCapacity())).append(',')
                        .append(blank(f.footprintRatio())).append(',')
                        .append(f.fillCapacity() < 0 ? "" : Long.toString(f.fillCapacity())).append(',')
                        .append(blank(f.heapEfficiency())).append(',')
                        .append(blank(f.internalWasteAtPeak())).append(',')
                        .append(blank(f.externalFragmentationAtPeak()));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    static String json(final RunResult run)
    {
        final StringBuilder out = new StringBuilder("{\n  \"date\": ").append(quote(run.date()))
            .append(",\n  \"machine\": ").append(quote(run.machine()))
            .append(",\n  \"settings\": ").append(quote(run.settings()))
            .append(",\n  \"workloads\": [");
        String workloadSep = "\n";
        for (final WorkloadResult workload : run.workloads())
        {
            out.append(workloadSep).append("    {\"name\": ").append(quote(workload.name()))
                .append(", \"description\": ").append(quote(workload.description()))
                .append(", \"unit\": ").append(quote(workload.unit()))
                .append(", \"peakLiveBytes\": ").append(workload.peakLiveBytes())
                .append(", \"rows\": [");
            String rowSep = "\n";
            for (final Row row : workload.rows())
            {
                final FragmentationResult f = row.fragmentation();
                out.append(rowSep).append("      {\"allocator\": ").append(quote(row.allocator()))
                    .append(", \"kind\": ").append(quote(row.kind()))
                    .append(", \"settings\": ").append(quote(row.settings()))
                    .append(", \"nsPerOp\": ").append(Format.number(row.nsPerEvent()))
                    .append(", \"failures\": ").append(row.failures());
                if (f != null)
                {
                    out.append(", \"peakHeldBytes\": ").append(f.showsOccupancy() ? Long.toString(f.peakOccupancy()) : "null")
                        .append(", \"heldOverLive\": ").append(Format.number(f.peakOccupancyRatio()))
                        .append(", \"minCapacity\": ").append(f.minCapacity() < 0 ? "null" : Long.toString(f.minCapacity()))
                        .append(", \"minCapacityOverLive\": ").append(Format.number(f.footprintRatio()))
                        .append(", \"heapEfficiency\": ").append(Format.number(f.heapEfficiency()))
                        .append(", \"internalWasteAtPeak\": ").append(Format.number(f.internalWasteAtPeak()))
                        .append(", \"externalFragmentationAtPeak\": ").append(Format.number(f.externalFragmentationAtPeak()));
                }
                out.append('}');
                rowSep = ",\n";
            }
            out.append("\n    ]}");
            workloadSep = ",\n";
        }
        return out.append("\n  ]\n}\n").toString();
    }

    private static String blank(final double value)
    {
        return Double.isNaN(value) ? "" : Format.number(value);
    }

    private static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
