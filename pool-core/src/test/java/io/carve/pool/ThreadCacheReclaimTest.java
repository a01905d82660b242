package io.carve.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Memory parked in thread caches stays within the configured bound, returns to use when its thread ends,
 * and the cost of the pool's whole-pool calls does not grow with the number of threads that ever used it.
 */
class ThreadCacheReclaimTest
{
    private static final long MB = 1L << 20;
    private static final long SEGMENT = 100_000;

    private static SegmentPool pool(final long cacheBytes)
    {
        return SegmentPool.builder().name("threads").capacity(64 * MB).sizeClassCacheBytes(cacheBytes).build();
    }

    /** Allocates and frees eight segments twice on a new thread, which then ends. */
    private static void parkEightAndEnd(final SegmentPool pool) throws InterruptedException
    {
        final Thread thread = new Thread(() ->
        {
            for (int round = 0; round < 2; round++)
            {
                final List<Long> held = new ArrayList<>();
                for (int i = 0; i < 8; i++)
                {
                    held.add(pool.allocate(SEGMENT));
                }
                held.forEach(pool::free);
            }
        });
        thread.start();
        thread.join();
    }

    private static int registered(final SegmentPool pool)
    {
        return ((CarvedSegmentPool)pool).cacheCount();
    }

    @Test
    @Timeout(60)
    void shouldKeepEverythingParkedWithinTheConfiguredBound() throws Exception
    {
        try (SegmentPool pool = pool(4 * MB))
        {
            final List<Thread> threads = new ArrayList<>();
            final List<Long> parkedSeen = new ArrayList<>();
            for (int t = 0; t < 64; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    final List<Long> held = new ArrayList<>();
                    for (int i = 0; i < 8; i++)
                    {
                        held.add(pool.allocate(SEGMENT));
                    }
                    held.forEach(pool::free);
                    synchronized (parkedSeen)
                    {
                        parkedSeen.add(pool.stats().cachedBytes());
                    }
                    held.clear();
                    for (int i = 0; i < 8; i++)
                    {
                        held.add(pool.allocate(SEGMENT));
                    }
                    held.forEach(pool::free);
                });
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            for (final long parked : parkedSeen)
            {
                assertTrue(parked <= 4 * MB, "parked " + parked + " bytes above the 4 MiB bound");
            }
            assertTrue(pool.stats().cachedBytes() <= 4 * MB, pool.stats().toString());
            assertTrue(pool.verify().isClean(), () -> pool.verify().toString());
        }
    }

    @Test
    @Timeout(60)
    void shouldReturnMemoryParkedByEndedThreadsWhenANewThreadArrives() throws Exception
    {
        try (SegmentPool pool = pool(32 * MB))
        {
            for (int t = 0; t < 16; t++)
            {
                parkEightAndEnd(pool);
            }
            // The sixteen threads ended; the next thread to use the pool reclaims their caches.
            final Thread newcomer = new Thread(() -> pool.free(pool.allocate(SEGMENT)));
            newcomer.start();
            newcomer.join();
            final PoolStats stats = pool.stats();
            assertTrue(stats.cachedBytes() <= 8 * pool.alignment().segmentSize(SEGMENT),
                "at most the newcomer's own cache may hold segments: " + stats);
            assertTrue(registered(pool) <= 1, "registered caches: " + registered(pool));
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    @Timeout(60)
    void shouldReturnMemoryParkedByAnEndedThreadWithinSomeLockedAllocations() throws Exception
    {
        try (SegmentPool pool = pool(32 * MB))
        {
            // Register this thread first, so that no registration pass reclaims the ended thread's cache.
            final long registration = pool.allocate(7);
            parkEightAndEnd(pool);
            assertTrue(pool.stats().cachedBytes() > 0);
            // This thread's locked allocations look at one registered cache in turn.
            final List<Long> held = new ArrayList<>();
            for (int i = 0; i < 2 * CarvedSegmentPool.RECLAIM_INTERVAL * 3; i++)
            {
                held.add(pool.allocate(1000 + 32L * (i % 50)));
            }
            assertEquals(0, pool.stats().cachedBytes(), "the ended threads' caches were reclaimed: " + pool.stats());
            held.forEach(pool::free);
            pool.free(registration);
        }
    }

    /**
     * A producer that only allocates takes segments a consumer freed, through the depot; the lease those
     * segments carry must go back to the budget, or the producer gathers it all and the consumer can no
     * longer park anything.
     */
    @Test
    @Timeout(60)
    void shouldNotLetAProducerGatherTheBudget() throws Exception
    {
        try (SegmentPool pool = SegmentPool.builder().name("flow").capacity(256 * MB).sizeClassCacheBytes(64 * MB)
            .leakAction(LeakAction.IGNORE).build())
        {
            final java.util.concurrent.ArrayBlockingQueue<Long> frames = new java.util.concurrent.ArrayBlockingQueue<>(64);
            final Thread consumer = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < 20_000; i++)
                    {
                        pool.free(frames.take());
                    }
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            consumer.start();
            for (int i = 0; i < 20_000; i++)
            {
                frames.put(pool.allocate(SEGMENT));
            }
            consumer.join();
            final long unleased = ((CarvedSegmentPool)pool).unleasedBudget();
            assertTrue(unleased >= 48 * MB, "the caches hold " + (64 * MB - unleased) + " bytes of lease for "
                + pool.stats().cachedBytes() + " parked bytes");
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    @Timeout(120)
    void shouldNotGrowWithThreadChurn() throws Exception
    {
        final ThreadPoolExecutor churn = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        churn.allowCoreThreadTimeOut(true);
        try (SegmentPool pool = pool(32 * MB))
        {
            int maxRegistered = 0;
            for (int round = 0; round < 5_000; round++)
            {
                if (round % 4 == 0)
                {
                    // Let idle threads time out, so the executor keeps creating new ones.
                    Thread.sleep(2);
                }
                final Future<?> task = churn.submit(() -> pool.free(pool.allocate(SEGMENT)));
                task.get();
                maxRegistered = Math.max(maxRegistered, registered(pool));
            }
            assertTrue(maxRegistered <= 16, "registered caches grew to " + maxRegistered);
            assertTrue(pool.verify().isClean());
        }
        finally
        {
            churn.shutdownNow();
        }
    }

    @Test
    @Timeout(120)
    void shouldGiveVirtualThreadsNoCacheOfTheirOwn() throws Exception
    {
        final Method factory;
        try
        {
            factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        }
        catch (final NoSuchMethodException e)
        {
            assumeTrue(false, "virtual threads need JDK 21+");
            return;
        }
        try (SegmentPool pool = pool(32 * MB))
        {
            final ExecutorService virtual = (ExecutorService)factory.invoke(null);
            final List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 10_000; i++)
            {
                tasks.add(virtual.submit(() ->
                {
                    final long a = pool.allocate(SEGMENT);
                    final long b = pool.allocate(SEGMENT);
                    pool.free(a);
                    pool.free(b);
                }));
            }
            for (final Future<?> task : tasks)
            {
                task.get();
            }
            virtual.shutdown();
            assertEquals(0, registered(pool), "virtual threads registered caches");
            final PoolStats stats = pool.stats();
            assertEquals(20_000, stats.allocations());
            assertEquals(0, stats.liveSegments());
            assertEquals(0, stats.cachedBytes());
            assertTrue(pool.verify().isClean());
        }
    }
}
