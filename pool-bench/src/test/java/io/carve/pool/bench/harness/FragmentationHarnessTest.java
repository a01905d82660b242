package io.carve.pool.bench.harness;

import io.carve.pool.bench.Allocators;
import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.Trace;
import io.carve.pool.bench.workload.TraceBuilder;
import io.carve.pool.policy.FirstFitPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class FragmentationHarnessTest
{
    private static final long MIB = 1L << 20;

    /** alloc A=100, alloc B=200 (peak 300 after event 1), free A, alloc C=50, then the drain. */
    private static Trace handMade()
    {
        final TraceBuilder builder = new TraceBuilder("hand", "hand-made", 6);
        final int a = builder.allocate(100);
        builder.allocate(200);
        builder.free(a);
        builder.allocate(50);
        return builder.build();
    }

    @Test
    void shouldFindThePeakOfLiveBytesInTheTrace()
    {
        final Trace trace = handMade();
        assertEquals(6, trace.length());
        assertEquals(300, trace.peakLiveBytes());
        assertEquals(1, trace.peakEvent());
        assertEquals(2, trace.peakLiveSegments());
    }

    @Test
    void shouldComputeOccupancyRatiosFromThePeakNotSums()
    {
        final FragmentationResult result = new FragmentationHarness(100).measure(handMade(), new DoublingAllocator());
        assertEquals(600, result.peakOccupancy());
        assertEquals(2.0, result.peakOccupancyRatio(), 1e-9);
        assertEquals(1.0, result.internalWasteAtPeak(), 1e-9);
        assertEquals(0, result.failures());
        assertEquals(300, result.liveSeries()[1]);
        assertEquals(0, result.liveSeries()[5]);
    }

    @Test
    void shouldFindTheSmallestCapacityToOneMebibyte()
    {
        final TraceBuilder builder = new TraceBuilder("one", "one 3 MiB segment", 2);
        builder.allocate(3 * MIB);
        final Trace trace = builder.build();
        final long capacity = FragmentationHarness.searchMinCapacity(trace,
            c -> Allocators.create(FirstFitPolicy.NAME, new long[0], c, false, false, trace.slotCount()));
        // 3 MiB + the 32-byte tail does not fit in 3 MiB.
        assertEquals(4 * MIB, capacity);
    }

    @Test
    void shouldCaptureTheMemoryMapAtThePeak()
    {
        final Trace trace = handMade();
        try (BenchAllocator pool = Allocators.create(FirstFitPolicy.NAME, new long[0], MIB, false, false,
            trace.slotCount()))
        {
            final FragmentationResult result = new FragmentationHarness(10).measure(trace, pool);
            final MemoryMap map = result.mapAtPeak();
            assertNotNull(map);
            assertEquals(2, map.size());
            assertEquals(128 + 32, map.length(0));
            assertEquals(224 + 32, map.length(1));
            assertEquals(0, map.offset(0));
        }
    }

    @Test
    void shouldComputeExternalFragmentationOfAMap()
    {
        final MemoryMap map = new MemoryMap(100, new long[] {10, 50}, new long[] {10, 10});
        assertEquals(20, map.liveBytes());
        assertEquals(40, map.largestFreeExtent());
        assertEquals(0.5, map.externalFragmentation(), 1e-9);
    }

    @Test
    void shouldReportHeapEfficiencyAtTheFirstFailure()
    {
        final TraceBuilder builder = new TraceBuilder("fill", "fill", 6);
        builder.allocate(MIB - 64);
        builder.allocate(MIB - 64);
        builder.allocate(MIB - 64);
        final Trace trace = builder.build();
        final FragmentationResult result = new FragmentationHarness(10).measure(trace, new DoublingAllocator());
        FragmentationHarness.measureHeapEfficiency(result, trace, 2 * MIB,
            c -> Allocators.create(FirstFitPolicy.NAME, new long[0], c, false, false, trace.slotCount()));
        assertEquals((2.0 * (MIB - 64)) / (2 * MIB), result.heapEfficiency(), 1e-9);
    }

    /** Holds twice what is asked: occupancy and waste are known exactly. */
    private static final class DoublingAllocator implements BenchAllocator
    {
        private final long[] lengths = new long[16];
        private long live;

        @Override
        public String name()
        {
            return "doubling";
        }

        @Override
        public String settings()
        {
            return "test";
        }

        @Override
        public String kind()
        {
            return "peer";
        }

        @Override
        public boolean allocate(final int slot, final long len)
        {
            lengths[slot] = len;
            live += len;
            return true;
        }

        @Override
        public void free(final int slot)
        {
            live -= lengths[slot];
            lengths[slot] = 0;
        }

        @Override
        public void touch(final int slot, final long len)
        {
        }

        @Override
        public long occupancyBytes()
        {
            return 2 * live;
        }

        @Override
        public double internalWaste()
        {
            return live == 0 ? 0 : 1.0;
        }

        @Override
        public double externalFragmentation()
        {
            return Double.NaN;
        }

        @Override
        public void close()
        {
        }
    }
}
