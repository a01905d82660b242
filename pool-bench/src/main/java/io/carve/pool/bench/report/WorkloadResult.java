package io.carve.pool.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * All allocators' rows for one workload.
 */
public final class WorkloadResult
{
    private final String name;
    private final String description;
    private final String unit;
    private final long peakLiveBytes;
    private final List<Row> rows = new ArrayList<>();

    /**
     * A workload's results.
     *
     * @param name          the workload's name.
     * @param description   its settings.
     * @param unit          what one timed operation is ({@code "event"} or {@code "pair"}).
     * @param peakLiveBytes the trace's peak live bytes, or 0 if not a trace.
     */
    public WorkloadResult(final String name, final String description, final String unit, final long peakLiveBytes)
    {
        this.name = name;
        this.description = description;
        this.unit = unit;
        this.peakLiveBytes = peakLiveBytes;
    }

    /**
     * Adds a row.
     *
     * @param row the row.
     */
    public void add(final Row row)
    {
        rows.add(row);
    }

    /** @return the name. */
    public String name()
    {
        return name;
    }

    /** @return the description. */
    public String description()
    {
        return description;
    }

    /** @return the unit of one timed operation. */
    public String unit()
    {
        return unit;
    }

    /** @return the trace's peak live bytes. */
    public long peakLiveBytes()
    {
        return peakLiveBytes;
    }

    /** @return the rows, in run order. */
    public List<Row> rows()
    {
        return Collections.unmodifiableList(rows);
    }

    /**
     * The fastest row of a kind.
     *
     * @param carve {@code true} for Carve rows, {@code false} for peers.
     * @return the row with the fewest ns per event and no failures, or null.
     */
    public Row fastest(final boolean carve)
    {
        Row best = null;
        for (final Row row : rows)
        {
            if (row.isCarve() == carve && row.failures() == 0 && !Double.isNaN(row.nsPerEvent())
                && (best == null || row.nsPerEvent() < best.nsPerEvent()))
            {
                best = row;
            }
        }
        return best;
    }
}
