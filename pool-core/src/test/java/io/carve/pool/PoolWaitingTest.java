package io.carve.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timed allocation never misses memory freed before its deadline, wherever the memory is parked: in the
 * freeing thread's cache, in the cache of a thread that is idle, or in the cache of a thread that ended.
 */
class PoolWaitingTest
{
    private static final long SEGMENT = 992;

    private static SegmentPool fourSegments()
    {
        // 4 x 1024-byte segments: a full pool after four allocations of 992 bytes; the cache may park them all.
        return SegmentPool.builder().name("four").capacity(4 * 1024).sizeClassCacheBytes(4 * 1024)
            .leakAction(LeakAction.IGNORE).build();
    }

    /**
     * The race, many times over: a holder thread parks a freed segment in its own cache while a
     * waiter is between its attempt and its sleep. Each wait must succeed, long before its deadline.
     */
    @Test
    @Timeout(120)
    void shouldNeverMissASegmentParkedWhileRegisteringAsAWaiter() throws Exception
    {
        final ExecutorService threads = Executors.newFixedThreadPool(2);
        final AtomicLong slowest = new AtomicLong();
        try (SegmentPool pool = fourSegments())
        {
            for (int round = 0; round < 2_000; round++)
            {
                final CyclicBarrier start = new CyclicBarrier(2);
                final Future<List<Long>> holder = threads.submit(() ->
                {
                    final List<Long> held = new ArrayList<>();
                    for (int i = 0; i < 4; i++)
                    {
                        held.add(pool.allocate(SEGMENT));
                    }
                    // Teach this thread's cache the size, so that its next free parks rather than releases.
                    pool.free(held.remove(3));
                    held.add(pool.allocate(SEGMENT));
                    start.await();
                    pool.free(held.remove(0));
                    return held;
                });
                final Future<Long> waiter = threads.submit(() ->
                {
                    start.await();
                    final long begin = System.nanoTime();
                    final long address = pool.allocate(SEGMENT, 2, TimeUnit.SECONDS);
                    slowest.accumulateAndGet(System.nanoTime() - begin, Math::max);
                    return address;
                });
                final List<Long> held = holder.get(10, TimeUnit.SECONDS);
                final long got = waiter.get(10, TimeUnit.SECONDS);
                assertNotEquals(SegmentPool.NULL_ADDRESS, got);
                pool.free(got);
                held.forEach(pool::free);
                assertEquals(0, pool.stats().liveSegments());
            }
        }
        finally
        {
            threads.shutdownNow();
        }
        assertTrue(slowest.get() < TimeUnit.SECONDS.toNanos(1),
            "a waiter slept " + slowest.get() / 1_000_000 + " ms for a segment freed at its start");
    }

    /**
     * The race made deterministic: the pool asks its listener about the failure after its attempt and before
     * the waiter sleeps, and the listener has another thread free a segment into that thread's own cache
     * right then. The waiter must find it, not sleep until its deadline.
     */
    @Test
    @Timeout(30)
    void shouldFindASegmentParkedBetweenTheFailedAttemptAndTheSleep() throws Exception
    {
        final ExecutorService holder = Executors.newSingleThreadExecutor();
        final List<Long> held = new ArrayList<>();
        final boolean[] armed = new boolean[1];
        final AtomicReference<SegmentPool> self = new AtomicReference<>();
        final AllocationListener freeOnFailure = new AllocationListener()
        {
            @Override
            public boolean onFailure(final long length, final long segmentBytes)
            {
                if (armed[0])
                {
                    armed[0] = false;
                    try
                    {
                        holder.submit(() -> self.get().free(held.remove(0))).get();
                    }
                    catch (final Exception e)
                    {
                        throw new IllegalStateException(e);
                    }
                }
                return false;
            }
        };
        try (SegmentPool pool = SegmentPool.builder().name("four").capacity(4 * 1024).sizeClassCacheBytes(4 * 1024)
            .leakAction(LeakAction.IGNORE).listener(freeOnFailure).build())
        {
            self.set(pool);
            holder.submit(() ->
            {
                for (int i = 0; i < 4; i++)
                {
                    held.add(pool.allocate(SEGMENT));
                }
                pool.free(held.remove(3));
                held.add(pool.allocate(SEGMENT));
            }).get();
            armed[0] = true;
            final long begin = System.nanoTime();
            final long got = pool.allocate(SEGMENT, 2, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(1), "the waiter slept past a parked segment");
            pool.free(got);
            holder.submit(() -> held.forEach(pool::free)).get();
            assertTrue(pool.verify().isClean());
        }
        finally
        {
            holder.shutdown();
        }
    }

    @Test
    @Timeout(30)
    void shouldTakeMemoryParkedByAnIdleThreadWithoutWaitingForAFree() throws Exception
    {
        try (SegmentPool pool = fourSegments())
        {
            final CountDownLatch parked = new CountDownLatch(1);
            final CountDownLatch done = new CountDownLatch(1);
            final Thread idle = new Thread(() ->
            {
                final List<Long> held = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    held.add(pool.allocate(SEGMENT));
                }
                held.forEach(pool::free);
                parked.countDown();
                try
                {
                    done.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            idle.start();
            parked.await();
            final PoolStats before = pool.stats();
            assertTrue(before.cachedSegments() > 0, "the idle thread's cache holds segments: " + before);
            final List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                mine.add(pool.allocate(SEGMENT, 1, TimeUnit.MILLISECONDS));
            }
            assertEquals(0, pool.stats().cachedSegments());
            mine.forEach(pool::free);
            done.countDown();
            idle.join();
        }
    }

    @Test
    @Timeout(30)
    void shouldWakeAWaiterWhenAnotherThreadFreesIntoItsCache() throws Exception
    {
        try (SegmentPool pool = fourSegments())
        {
            final ExecutorService other = Executors.newSingleThreadExecutor();
            final List<Long> held = other.submit(() ->
            {
                final List<Long> segments = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    segments.add(pool.allocate(SEGMENT));
                }
                pool.free(segments.remove(3));
                segments.add(pool.allocate(SEGMENT));
                return segments;
            }).get();
            final CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return pool.allocate(SEGMENT, 20, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(100);
            final long begin = System.nanoTime();
            other.submit(() -> pool.free(held.remove(0))).get();
            final long got = waiter.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(5), "the free woke the waiter");
            pool.free(got);
            other.submit(() -> held.forEach(pool::free)).get();
            other.shutdown();
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    @Timeout(30)
    void shouldFailAtTheDeadlineCountingParkedBytesInTheMessage() throws Exception
    {
        try (SegmentPool pool = fourSegments())
        {
            final List<Long> held = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                held.add(pool.allocate(SEGMENT));
            }
            final PoolExhaustedException e =
                org.junit.jupiter.api.Assertions.assertThrows(PoolExhaustedException.class,
                    () -> pool.allocate(SEGMENT, 30, TimeUnit.MILLISECONDS));
            assertTrue(e.waitedNanos() >= TimeUnit.MILLISECONDS.toNanos(30), e.getMessage());
            assertEquals(0, e.cachedBytes());
            assertTrue(e.getMessage().contains("parked in thread caches=0"), e.getMessage());
            assertEquals(1, pool.stats().failures());
            held.forEach(pool::free);
        }
    }
}
