package io.carve.pool;

import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Model-checks the close protocol alone with Lincheck: threads that allocate and free (through the pool
 * lock and through their own caches) against {@code close()}. In every interleaving explored, a call either
 * completes before the block goes back or throws {@link PoolClosedException}; none touches the block after
 * close (the heap-backed device of {@link PoolModelTest} throws if one does).
 */
public class PoolCloseModelTest
{
    private static final long LEN = 992;

    private final PoolModelTest.HeapDevice device = new PoolModelTest.HeapDevice();
    private final SegmentPool pool = SegmentPool.builder().name("close-model").capacity(4 * 1024).device(device)
        .sizeClassCacheBytes(4 * 1024).leakAction(LeakAction.IGNORE).build();

    /** Allocate and free twice: locked path first, then the thread's cache. "ok" or "closed". */
    @Operation
    public String cycle()
    {
        try
        {
            for (int i = 0; i < 2; i++)
            {
                pool.free(pool.allocate(LEN));
            }
            return "ok";
        }
        catch (final PoolClosedException e)
        {
            return "closed";
        }
    }

    /** Closes the pool (an operation named {@code close} would be skipped by Lincheck). */
    @Operation
    public void shutdown()
    {
        pool.close();
    }

    /** Nothing touched the block after close. */
    @Validate
    public void validate()
    {
        if (device.violation != null)
        {
            throw device.violation;
        }
    }

    @Test
    void shouldNeverTouchTheBlockAfterClose() throws NoSuchMethodException
    {
        // The race that matters, always explored: one thread's allocate-free cycles (locked, then cached)
        // against another thread's close; plus random scenarios of the same operations.
        final Actor cycle = new Actor(getClass().getMethod("cycle"), List.of(), false, false, false, false);
        final Actor shutdown = new Actor(getClass().getMethod("shutdown"), List.of(), false, false, false, false);
        final ExecutionScenario race = new ExecutionScenario(List.of(), List.of(List.of(cycle), List.of(shutdown)),
            List.of(), null);
        ModelChecking.options().addCustomScenario(race).iterations(3).invocationsPerIteration(400).threads(2)
            .actorsPerThread(2).check(getClass());
    }
}
