package io.carve.pool.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One run of the main job: its settings, the machine, and each workload's results.
 */
public final class RunResult
{
    private final String date;
    private final String machine;
    private final String settings;
    private final List<WorkloadResult> workloads = new ArrayList<>();

    /**
     * A run.
     *
     * @param date     when it ran (ISO date and time).
     * @param machine  the machine and JVM in words.
     * @param settings the command line's settings and the JVM flags in words.
     */
    public RunResult(final String date, final String machine, final String settings)
    {
        this.date = date;
        this.machine = machine;
        this.settings = settings;
    }

    /**
     * Adds a workload's results.
     *
     * @param workload the results.
     */
    public void add(final WorkloadResult workload)
    {
        workloads.add(workload);
    }

    /** @return the date. */
    public String date()
    {
        return date;
    }

    /** @return the machine. */
    public String machine()
    {
        return machine;
    }

    /** @return the settings. */
    public String settings()
    {
        return settings;
    }

    /** @return the workloads' results. */
    public List<WorkloadResult> workloads()
    {
        return Collections.unmodifiableList(workloads);
    }
}
