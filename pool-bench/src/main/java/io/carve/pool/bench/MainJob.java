package io.carve.pool.bench;

import io.carve.pool.align.Align;
import io.carve.pool.bench.harness.FragmentationHarness;
import io.carve.pool.bench.harness.FragmentationResult;
import io.carve.pool.bench.harness.Timing;
import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.peer.NettyAllocator;
import io.carve.pool.bench.report.Row;
import io.carve.pool.bench.report.RunResult;
import io.carve.pool.bench.report.WorkloadResult;
import io.carve.pool.bench.workload.ScalingWorkload;
import io.carve.pool.bench.workload.Trace;
import io.carve.pool.bench.workload.Workloads;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the selected workloads against the selected allocators, one at a time, and collects the results.
 * <p>
 * Per trace and allocator: a timed run (warm-up replays for 0.5 s, 0.15 s quick, then {@code --repeat} timed replays in a generous
 * pool of 3 x peak live + 64 MiB), then for media and random the fragmentation harness: for Carve the
 * smallest capacity that replays the trace (bisection to 1 MiB, guards off, once per policy), a measured
 * replay in a pool of that capacity (occupancy, ratios and memory map at the peak) and the heap efficiency
 * at the first failure in a pool of half the peak live bytes; for peers a measured replay.
 */
final class MainJob
{
    private static final long MIB = 1L << 20;
    private static final int SAMPLES = 300;
    private static final int SCALING_STEPS = 1 << 13;
    private static final int RANDOM_CLASSES = 8;
    private static final double CLASS_SHARE = 0.02;

    private final Options options;
    private final Progress progress;
    private final Map<String, Long> minCapacities = new HashMap<>();
    private int step;
    private int steps;

    MainJob(final Options options, final Progress progress)
    {
        this.options = options;
        this.progress = progress;
    }

    RunResult run()
    {
        final RunResult run = new RunResult(
            LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16),
            machine(), options + "; " + NettyAllocator.flags() + "; JVM " + System.getProperty("java.vm.name") + " "
            + Runtime.version());
        final int allocators = options.allocators.size();
        for (final String workload : options.workloads)
        {
            steps += allocators * (Workloads.FIXED.equals(workload) ? options.sizes.length
                : Workloads.SCALING.equals(workload) ? options.live.length : 1);
        }
        for (final String workload : options.workloads)
        {
            switch (workload)
            {
                case Workloads.FIXED:
                    for (final long size : options.sizes)
                    {
                        run.add(trace(Workloads.fixed(size, options.events), false, false));
                    }
                    break;
                case Workloads.MEDIA:
                    run.add(trace(Workloads.media(options.seed, options.events), false, true));
                    break;
                case Workloads.RANDOM:
                    run.add(trace(Workloads.random(options.seed, options.events, Workloads.RANDOM_MAX_SIZE,
                        Workloads.RANDOM_BUDGET), false, true));
                    break;
                case Workloads.TOUCH:
                    final Trace media = Workloads.media(options.seed, options.touchEvents);
                    run.add(trace(media, true, false));
                    break;
                case Workloads.SCALING:
                    for (final int live : options.live)
                    {
                        run.add(scaling(live));
                    }
                    break;
                default:
                    throw new IllegalStateException("unknown workload " + workload);
            }
        }
        progress.done();
        return run;
    }

    private WorkloadResult trace(final Trace trace, final boolean touching, final boolean fragmentation)
    {
        final String name = touching ? Workloads.TOUCH : trace.name();
        final WorkloadResult result = new WorkloadResult(name, (touching ? "touching (one write per 4 KiB page "
            + "of every buffer, pool pre-touched) " : "") + trace.description(), "event", trace.peakLiveBytes());
        final long[] classes = trace.frequentSizes(RANDOM_CLASSES, CLASS_SHARE);
        final long timingCapacity = Align.alignUp(3 * trace.peakLiveBytes() + 64 * MIB, MIB);
        final FragmentationHarness harness = new FragmentationHarness(SAMPLES);
        for (final String allocator : options.allocators)
        {
            progress.show(++step, steps, name + " / " + allocator + ": timing");
            final int[] failures = new int[1];
            final double ns;
            final String settings;
            try (BenchAllocator timed = Allocators.create(allocator, classes, timingCapacity, touching, options.cache,
                trace.slotCount()))
            {
                settings = timed.settings();
                ns = Timing.nsPerEvent(trace, timed, touching, warmups(), options.repeat, failures);
            }
            FragmentationResult frag = null;
            if (fragmentation)
            {
                frag = fragmentation(trace, allocator, classes, timingCapacity, harness, name);
            }
            result.add(new Row(allocator, Allocators.isCarve(allocator) ? "carve" : "peer", settings, ns,
                failures[0], frag));
            afterPeer(allocator);
        }
        return result;
    }

    private FragmentationResult fragmentation(
        final Trace trace,
        final String allocator,
        final long[] classes,
        final long timingCapacity,
        final FragmentationHarness harness,
        final String name)
    {
        if (!Allocators.isCarve(allocator))
        {
            progress.show(step, steps, name + " / " + allocator + ": fragmentation");
            try (BenchAllocator peer = Allocators.create(allocator, classes, 0, false, false, trace.slotCount()))
            {
                return harness.measure(trace, peer);
            }
        }
        final String policy = Policies.policyOf(allocator);
        final String key = name + "/" + policy;
        Long minCapacity = minCapacities.get(key);
        if (minCapacity == null)
        {
            progress.show(step, steps, name + " / " + allocator + ": smallest capacity (bisection)");
            minCapacity = FragmentationHarness.searchMinCapacity(trace,
                capacity -> Allocators.create(policy, classes, capacity, false, options.cache, trace.slotCount()));
            minCapacities.put(key, minCapacity);
        }
        progress.show(step, steps, name + " / " + allocator + ": fragmentation");
        final long measureCapacity = minCapacity > 0 ? minCapacity : timingCapacity;
        final FragmentationResult frag;
        try (BenchAllocator pool = Allocators.create(allocator, classes, measureCapacity, false, options.cache,
            trace.slotCount()))
        {
            frag = harness.measure(trace, pool);
        }
        FragmentationHarness.recordMinCapacity(frag, minCapacity);
        final long fill = Math.max(MIB, trace.peakLiveBytes() / 2 / MIB * MIB);
        try
        {
            FragmentationHarness.measureHeapEfficiency(frag, trace, fill,
                capacity -> Allocators.create(allocator, classes, capacity, false, options.cache, trace.slotCount()));
        }
        catch (final IllegalArgumentException e)
        {
            // The fixed capacity cannot hold one of the trace's segments at all: no efficiency to report.
        }
        return frag;
    }

    private WorkloadResult scaling(final int live)
    {
        final ScalingWorkload workload = ScalingWorkload.generate(options.seed, live, SCALING_STEPS);
        final WorkloadResult result = new WorkloadResult(Workloads.SCALING + "-" + live, "allocate+free pairs "
            + "(free a random live segment, allocate a new one into its slot) with " + live + " live segments of "
            + ScalingWorkload.MIN_SIZE + ".." + ScalingWorkload.MAX_SIZE + " bytes; seed=" + options.seed, "pair", 0);
        final long capacity = Align.alignUp(3L * live * (ScalingWorkload.MAX_SIZE + 64) + 64 * MIB, MIB);
        final long[] classes = {1024};
        for (final String allocator : options.allocators)
        {
            progress.show(++step, steps, result.name() + " / " + allocator);
            try (BenchAllocator timed = Allocators.create(allocator, classes, capacity, false, options.cache, live))
            {
                final double ns = Timing.nsPerPair(workload, timed, warmups(), options.repeat);
                result.add(new Row(allocator, Allocators.isCarve(allocator) ? "carve" : "peer", timed.settings(), ns,
                    0, null));
            }
            afterPeer(allocator);
        }
        return result;
    }

    /** Warm-up time per allocator and workload: enough for C2 to compile the replay loop. */
    private long warmups()
    {
        return options.quick ? 150_000_000L : 500_000_000L;
    }

    /** Netty keeps chunks reachable until its allocator is collected: let the collector free them. */
    private static void afterPeer(final String allocator)
    {
        if (!Allocators.isCarve(allocator))
        {
            System.gc();
        }
    }

    static String machine()
    {
        String model = "unknown CPU";
        try
        {
            final List<String> lines = Files.readAllLines(Paths.get("/proc/cpuinfo"));
            for (final String line : lines)
            {
                if (line.startsWith("model name"))
                {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        }
        catch (final Exception e)
        {
            // not Linux: keep the generic name
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
            + " " + System.getProperty("os.arch") + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
    }
}
