package io.carve.pool.bench.workload;

import org.agrona.collections.IntArrayList;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in workloads. Every generator is deterministic for a given seed and length.
 */
public final class Workloads
{
    /** The media pipeline trace. */
    public static final String MEDIA = "media";
    /** RMM-style random allocations. */
    public static final String RANDOM = "random";
    /** Allocate+free of one size, repeated. */
    public static final String FIXED = "fixed";
    /** The media trace with one write per 4 KiB page of every buffer. */
    public static final String TOUCH = "touch";
    /** Allocate+free with a growing number of live segments. */
    public static final String SCALING = "scaling";
    /** All built-in workloads, in report order. */
    public static final List<String> ALL = List.of(FIXED, MEDIA, RANDOM, SCALING, TOUCH);

    /** RMM's random_allocations allocates with this probability at each step. */
    public static final double RANDOM_ALLOCATE_PROBABILITY = 0.73;
    /** Default largest random size: 1 MiB. */
    public static final long RANDOM_MAX_SIZE = 1L << 20;
    /** Default random budget: live bytes never exceed 96 MiB. */
    public static final long RANDOM_BUDGET = 96L << 20;

    private static final int[][] VDEC_RESOLUTIONS = {{1280, 720}, {1920, 1080}, {3840, 2160}};
    private static final double[] VDEC_WEIGHTS = {0.40, 0.45, 0.15};
    private static final int STREAMS = 4;
    private static final int RING_MIN = 3;
    private static final int RING_MAX = 8;
    private static final double STREAM_STOP_PROBABILITY = 0.01;
    private static final int RESTART_DELAY_MAX = 4;
    private static final double FIFO_JITTER = 0.25;
    private static final double JPEG_PROBABILITY = 0.30;
    private static final int JPEG_LIFETIME_MAX = 6;
    private static final double VPC_PROBABILITY = 0.50;
    private static final int VPC_LIFETIME_MAX = 3;

    private Workloads()
    {
    }

    /**
     * The media pipeline: {@value #STREAMS} VDEC streams (720p/1080p/4K NV12, 40/45/15%), each holding a
     * ring of 3..8 frames freed in FIFO order with jitter (a quarter of the time the second oldest goes first),
     * stopping with probability 1% per tick and restarting 0..4 ticks later at another resolution; JPEGD
     * photos (320..4096 x 240..3072, 64/16 stride rule) with probability 0.3 per tick, held 1..6 ticks; a
     * VPC model input (640x640 RGB or 416x416 YUV) for half the decoded frames, held 1..3 ticks.
     *
     * @param seed   the seed.
     * @param events the trace length, even and {@code >= 2}.
     * @return the trace.
     */
    public static Trace media(final long seed, final int events)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final TraceBuilder trace = new TraceBuilder(MEDIA, "media pipeline: " + STREAMS
            + " VDEC streams (720p/1080p/4K NV12, rings " + RING_MIN + ".." + RING_MAX
            + ", FIFO with jitter, 1%/tick resolution change), JPEGD photos p=" + JPEG_PROBABILITY
            + "/tick, VPC 640x640 RGB or 416x416 YUV for " + (int)(VPC_PROBABILITY * 100) + "% of frames; seed="
            + seed + ", events=" + events, events);
        final Stream[] streams = new Stream[STREAMS];
        for (int i = 0; i < STREAMS; i++)
        {
            streams[i] = new Stream();
            streams[i].restart(random, -1);
        }
        final List<IntArrayList> dueAt = new ArrayList<>();
        int tick = 0;
        while (!trace.isFull())
        {
            while (dueAt.size() <= tick + JPEG_LIFETIME_MAX + 1)
            {
                dueAt.add(new IntArrayList());
            }
            final IntArrayList due = dueAt.get(tick);
            for (int i = 0; i < due.size(); i++)
            {
                trace.free(due.getInt(i));
            }
            due.clear();
            for (final Stream stream : streams)
            {
                if (stream.pause > 0)
                {
                    stream.pause--;
                    continue;
                }
                if (random.nextDouble() < STREAM_STOP_PROBABILITY)
                {
                    while (!stream.ring.isEmpty())
                    {
                        trace.free(stream.ring.pollFirst());
                    }
                    stream.restart(random, stream.resolution);
                    continue;
                }
                if (trace.canAllocate())
                {
                    stream.ring.addLast(trace.allocate(stream.frameSize));
                    if (random.nextDouble() < VPC_PROBABILITY && trace.canAllocate())
                    {
                        final long vpc = random.nextBoolean() ? MediaSizes.VPC_640_RGB : MediaSizes.VPC_416_YUV;
                        dueAt.get(tick + 1 + random.nextInt(VPC_LIFETIME_MAX)).addInt(trace.allocate(vpc));
                    }
                }
                if (stream.ring.size() > stream.depth)
                {
                    final int oldest = stream.ring.pollFirst();
                    if (random.nextDouble() < FIFO_JITTER && !stream.ring.isEmpty())
                    {
                        final int second = stream.ring.pollFirst();
                        stream.ring.addFirst(oldest);
                        trace.free(second);
                    }
                    else
                    {
                        trace.free(oldest);
                    }
                }
            }
            if (random.nextDouble() < JPEG_PROBABILITY && trace.canAllocate())
            {
                final int w = 320 + random.nextInt(4096 - 320 + 1);
                final int h = 240 + random.nextInt(3072 - 240 + 1);
                dueAt.get(tick + 1 + random.nextInt(JPEG_LIFETIME_MAX)).addInt(trace.allocate(MediaSizes.jpegd(w, h)));
            }
            tick++;
        }
        return trace.build();
    }

    /**
     * RMM's random_allocations: at each step allocate with probability 0.73 (a size uniform in
     * {@code [1, maxSize]}) if that keeps live bytes within {@code budget}, otherwise free a random live
     * allocation.
     *
     * @param seed    the seed.
     * @param events  the trace length, even and {@code >= 2}.
     * @param maxSize the largest size, {@code > 0}.
     * @param budget  the most live bytes, {@code >= maxSize}.
     * @return the trace.
     */
    public static Trace random(final long seed, final int events, final long maxSize, final long budget)
    {
        if (maxSize <= 0 || budget < maxSize)
        {
            throw new IllegalArgumentException(
                "need 0 < maxSize <= budget: maxSize=" + maxSize + ", budget=" + budget);
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final TraceBuilder trace = new TraceBuilder(RANDOM, "random allocations (RMM): p(allocate)="
            + RANDOM_ALLOCATE_PROBABILITY + ", sizes uniform in [1, " + maxSize + "], live budget " + budget
            + " bytes; seed=" + seed + ", events=" + events, events);
        final IntArrayList live = new IntArrayList();
        final List<Long> liveSizes = new ArrayList<>();
        long liveBytes = 0;
        while (!trace.isFull())
        {
            final long size = 1 + random.nextLong(maxSize);
            if (trace.canAllocate() && random.nextDouble() < RANDOM_ALLOCATE_PROBABILITY && liveBytes + size <= budget)
            {
                live.addInt(trace.allocate(size));
                liveSizes.add(size);
                liveBytes += size;
            }
            else if (!live.isEmpty())
            {
                final int i = random.nextInt(live.size());
                final int last = live.size() - 1;
                trace.free(live.getInt(i));
                liveBytes -= liveSizes.get(i);
                live.setInt(i, live.getInt(last));
                liveSizes.set(i, liveSizes.get(last));
                live.removeAt(last);
                liveSizes.remove(last);
            }
        }
        return trace.build();
    }

    /**
     * Allocate+free of one size, repeated: one segment live at a time.
     *
     * @param size   the length, {@code > 0}.
     * @param events the trace length, even and {@code >= 2}.
     * @return the trace.
     */
    public static Trace fixed(final long size, final int events)
    {
        final TraceBuilder trace = new TraceBuilder(FIXED + "-" + size, "allocate+free of " + size
            + " bytes, repeated; events=" + events, events);
        while (trace.canAllocate())
        {
            trace.free(trace.allocate(size));
        }
        return trace.build();
    }

    private static final class Stream
    {
        final ArrayDeque<Integer> ring = new ArrayDeque<>();
        int resolution;
        long frameSize;
        int depth;
        int pause;

        void restart(final SplittableRandom random, final int previous)
        {
            int next;
            do
            {
                next = pick(random);
            }
            while (next == previous);
            resolution = next;
            frameSize = MediaSizes.vdecNv12(VDEC_RESOLUTIONS[next][0], VDEC_RESOLUTIONS[next][1]);
            depth = RING_MIN + random.nextInt(RING_MAX - RING_MIN + 1);
            pause = previous < 0 ? 0 : random.nextInt(RESTART_DELAY_MAX + 1);
        }

        private static int pick(final SplittableRandom random)
        {
            final double u = random.nextDouble();
            double sum = 0;
            for (int i = 0; i < VDEC_WEIGHTS.length; i++)
            {
                sum += VDEC_WEIGHTS[i];
                if (u < sum)
                {
                    return i;
                }
            }
            return VDEC_WEIGHTS.length - 1;
        }
    }
}
