package io.carve.pool.testing;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Counts the heap bytes the current thread allocates while it runs an action, for tests that prove a hot
 * path allocation-free (JMH's {@code -prof gc} proves it for the benchmarks; this is the same proof in the
 * test suite, on a JVM that reports per-thread allocation through {@code com.sun.management.ThreadMXBean}).
 * <p>
 * The one rule, {@link #assertAllocationFree(String, Runnable)}: run the action once unmeasured (so the
 * interpreter and the first compilations, which allocate what escape analysis later removes, are behind
 * it), then measure up to {@value #WINDOWS} windows of one run each and pass at the first window with zero
 * bytes. Garbage made per operation shows in every window; a one-off allocation by the JVM itself (a
 * deoptimisation, a lazily initialised runtime structure) in one at most. Make each run long enough to
 * matter (thousands of operations) and free of its own allocation (pre-computed arguments, primitive
 * arrays).
 * <pre>
 * HeapProbe.assertAllocationFree("100,000 allocate/free pairs", () -&gt; churn(policy, offsets, sizes));
 * </pre>
 */
public final class HeapProbe
{
    /** The most windows measured before an action is declared allocating. */
    public static final int WINDOWS = 3;

    private HeapProbe()
    {
    }

    /**
     * Whether this JVM counts the bytes each thread allocates.
     *
     * @return {@code true} if {@link #allocatedBytes(Runnable)} can measure.
     */
    public static boolean isSupported()
    {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
            && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled();
    }

    /**
     * One window: the heap bytes the current thread allocated while running {@code action} once.
     *
     * @param action what to measure.
     * @return bytes allocated, {@code >= 0}.
     * @throws IllegalStateException if the JVM cannot measure ({@link #isSupported()} is false).
     */
    public static long allocatedBytes(final Runnable action)
    {
        if (!isSupported())
        {
            throw new IllegalStateException("this JVM does not count per-thread allocated bytes");
        }
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        action.run();
        return threads.getThreadAllocatedBytes(thread) - before;
    }

    /**
     * Asserts that {@code action} allocates nothing: one unmeasured run, then up to {@value #WINDOWS} measured
     * runs, of which one must allocate zero bytes. Skipped (a failed JUnit assumption) on a JVM that cannot
     * measure.
     *
     * @param what   names the action in the failure message (for example {@code "20,000 allocate/free pairs"}).
     * @param action what to measure; it runs {@code 1 + WINDOWS} times at most.
     */
    public static void assertAllocationFree(final String what, final Runnable action)
    {
        assumeTrue(isSupported(), "this JVM does not count per-thread allocated bytes");
        action.run();
        final long[] windows = new long[WINDOWS];
        for (int window = 0; window < WINDOWS; window++)
        {
            windows[window] = allocatedBytes(action);
            if (windows[window] == 0)
            {
                return;
            }
        }
        fail(what + " allocated heap bytes in each of " + WINDOWS + " windows: " + Arrays.toString(windows));
    }
}
