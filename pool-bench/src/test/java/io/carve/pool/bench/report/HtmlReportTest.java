package io.carve.pool.bench.report;

import io.carve.pool.bench.Allocators;
import io.carve.pool.bench.harness.FragmentationHarness;
import io.carve.pool.bench.harness.FragmentationResult;
import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.Trace;
import io.carve.pool.bench.workload.Workloads;
import io.carve.pool.policy.FirstFitPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest
{
    @Test
    void shouldDrawOccupancyLinesAndAMemoryMapAsInlineSvg()
    {
        final Trace trace = Workloads.media(1, 400);
        final FragmentationResult frag;
        try (BenchAllocator pool = Allocators.create(FirstFitPolicy.NAME, new long[0], 4 * trace.peakLiveBytes(),
            false, false, trace.slotCount()))
        {
            frag = new FragmentationHarness(50).measure(trace, pool);
        }
        final RunResult run = new RunResult("2026-01-01T00:00", "test machine", "test <settings>");
        final WorkloadResult workload = new WorkloadResult("media", "media", "event", trace.peakLiveBytes());
        workload.add(new Row("first-fit", "carve", "Carve first-fit", 12.5, 0, frag));
        workload.add(new Row("malloc", "peer", "malloc", 50.0, 0, null));
        run.add(workload);
        final String html = HtmlReport.render(run);
        assertTrue(html.contains("<svg class=\"occupancy\""));
        assertTrue(html.contains("<polyline"));
        assertTrue(html.contains("<svg class=\"memory-map\""));
        assertTrue(html.contains("<rect class=\"live\""));
        assertTrue(html.contains("Where Carve loses"));
        assertTrue(html.contains("test &lt;settings&gt;"));
        assertTrue(!html.contains("<script") && !html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(DataWriter.csv(run).lines().count() == 3);
        assertTrue(DataWriter.json(run).contains("\"allocator\": \"first-fit\""));
    }
}
