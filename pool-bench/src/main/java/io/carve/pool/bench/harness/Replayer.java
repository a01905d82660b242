package io.carve.pool.bench.harness;

import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.Trace;

/**
 * The replay loops: allocate and free only (and touch, for the touching workload), no generation work and
 * no allocation of their own.
 */
public final class Replayer
{
    private Replayer()
    {
    }

    /**
     * Replays a trace.
     *
     * @param trace     the trace.
     * @param allocator the allocator, with at least {@code trace.slotCount()} slots, nothing live.
     * @param touch     whether to write one byte per 4 KiB page of every buffer right after allocating it,
     *                  as a decoder would; the branch is loop-invariant, so the JIT hoists it.
     * @return the allocations the allocator refused.
     */
    public static int replay(final Trace trace, final BenchAllocator allocator, final boolean touch)
    {
        final int[] ops = trace.ops();
        final long[] sizes = trace.sizes();
        int failures = 0;
        for (int i = 0; i < ops.length; i++)
        {
            final int op = ops[i];
            if (op < 0)
            {
                allocator.free(~op);
            }
            else if (!allocator.allocate(op, sizes[i]))
            {
                failures++;
            }
            else if (touch)
            {
                allocator.touch(op, sizes[i]);
            }
        }
        return failures;
    }

    /**
     * Replays a trace until the first refused allocation.
     *
     * @param trace     the trace.
     * @param allocator the allocator.
     * @return the live requested bytes when the first allocation was refused, or -1 if none was.
     */
    public static long liveBytesAtFirstFailure(final Trace trace, final BenchAllocator allocator)
    {
        final int[] ops = trace.ops();
        final long[] sizes = trace.sizes();
        long live = 0;
        for (int i = 0; i < ops.length; i++)
        {
            final int op = ops[i];
            if (op >= 0)
            {
                if (!allocator.allocate(op, sizes[i]))
                {
                    return live;
                }
                live += sizes[i];
            }
            else
            {
                allocator.free(~op);
                live -= sizes[i];
            }
        }
        return -1;
    }
}
