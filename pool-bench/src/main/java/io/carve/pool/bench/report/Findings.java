package io.carve.pool.bench.report;

import io.carve.pool.bench.harness.FragmentationResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a run for the statements the report must make: where Carve wins and where it loses, computed
 * from the numbers of this run, never written in advance.
 */
public final class Findings
{
    private Findings()
    {
    }

    /**
     * Where a peer beats a Carve variant on this run, and the standing limits of a fixed pool.
     *
     * @param run the run.
     * @return one sentence per finding.
     */
    public static List<String> losses(final RunResult run)
    {
        final List<String> out = new ArrayList<>();
        for (final WorkloadResult workload : run.workloads())
        {
            final Row bestPeer = workload.fastest(false);
            for (final Row row : workload.rows())
            {
                if (!row.isCarve())
                {
                    continue;
                }
                if (row.failures() > 0)
                {
                    out.add(String.format(Locale.ROOT, "%s: %s refused %d allocations at its fixed capacity (peers grow instead).",
                        workload.name(), row.allocator(), row.failures()));
                }
                if (bestPeer != null && bestPeer.nsPerEvent() < row.nsPerEvent())
                {
                    out.add(String.format(Locale.ROOT, "%s: %s (%s ns/%s) is slower than %s (%s ns/%s).",
                        workload.name(), row.allocator(), Format.ns(row.nsPerEvent()), workload.unit(),
                        bestPeer.allocator(), Format.ns(bestPeer.nsPerEvent()), workload.unit()));
                }
                final FragmentationResult f = row.fragmentation();
                final double nettyBest = bestNettyOccupancy(workload);
                if (f != null && !Double.isNaN(f.footprintRatio()) && !Double.isNaN(nettyBest) && nettyBest < f.footprintRatio())
                {
                    out.add(String.format(Locale.ROOT,
                        "%s: %s needs a pool of %s x peak live bytes, Netty's peak used memory is %s x.",
                        workload.name(), row.allocator(), Format.ratio(f.footprintRatio()), Format.ratio(nettyBest)));
                }
            }
        }
        out.add("Always: a Carve pool holds its whole capacity from the start (the footprint is the capacity, "
            + "chosen in advance), while malloc, direct buffers and Netty grow and shrink with demand; an "
            + "undersized pool refuses allocations where they would grow.");
        return out;
    }

    /**
     * Where the best Carve variant beats the best peer.
     *
     * @param run the run.
     * @return one sentence per workload.
     */
    public static List<String> speedups(final RunResult run)
    {
        final List<String> out = new ArrayList<>();
        for (final WorkloadResult workload : run.workloads())
        {
            final Row carve = workload.fastest(true);
            final Row peer = workload.fastest(false);
            if (carve != null && peer != null)
            {
                out.add(String.format(Locale.ROOT, "%s: fastest Carve %s %s ns/%s vs fastest peer %s %s ns/%s: %.1fx",
                    workload.name(), carve.allocator(), Format.ns(carve.nsPerEvent()), workload.unit(),
                    peer.allocator(), Format.ns(peer.nsPerEvent()), workload.unit(),
                    peer.nsPerEvent() / carve.nsPerEvent()));
            }
        }
        return out;
    }

    private static double bestNettyOccupancy(final WorkloadResult workload)
    {
        double best = Double.NaN;
        for (final Row row : workload.rows())
        {
            final FragmentationResult f = row.fragmentation();
            if (!row.isCarve() && f != null && row.allocator().startsWith("netty") && !Double.isNaN(f.peakOccupancyRatio()))
            {
                best = Double.isNaN(best) ? f.peakOccupancyRatio() : Math.min(best, f.peakOccupancyRatio());
            }
        }
        return best;
    }
}
