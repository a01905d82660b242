package io.carve.pool;

import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.HugePagePolicy;
import io.carve.pool.device.OffHeapDeviceAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrentPoolTest
{
    private static final long MB = 1L << 20;
    private static final int THREADS = 4;

    /**
     * Threads allocate, stamp each segment with their id and a serial, hand some to the next thread through
     * a queue and free what they receive after checking the stamp. No address may be live twice.
     */
    @ParameterizedTest(name = "size-class cache bytes {0}")
    @ValueSource(longs = {0, 8 * MB})
    @Timeout(60)
    void shouldNeverHandOutASegmentTwiceUnderCrossThreadFrees(final long cacheBytes) throws Exception
    {
        final SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("stress").capacity(64 * MB)
            .device(OffHeapDeviceAllocator.lazy()).sizeClassCacheBytes(cacheBytes).build();
        final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
        final List<ArrayBlockingQueue<long[]>> queues = new ArrayList<>();
        for (int i = 0; i < THREADS; i++)
        {
            queues.add(new ArrayBlockingQueue<>(256));
        }
        final long[] sizes = {3_110_400, 1_382_400, 65_536, 100, 12_441_600 / 4};
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        final List<Future<Long>> results = new ArrayList<>();
        final AtomicLong exhausted = new AtomicLong();
        for (int t = 0; t < THREADS; t++)
        {
            final int id = t;
            results.add(executor.submit(() ->
            {
                final Random random = new Random(id);
                final List<long[]> mine = new ArrayList<>();
                final byte[] stamp = new byte[16];
                final byte[] read = new byte[16];
                long serial = 0;
                long operations = 0;
                for (int step = 0; step < 20_000; step++)
                {
                    final long[] received = queues.get(id).poll();
                    if (received != null)
                    {
                        checkAndFree(pool, live, received, read);
                        operations++;
                    }
                    if (mine.size() < 8 && random.nextInt(100) < 70)
                    {
                        final long len = sizes[random.nextInt(sizes.length)];
                        final long address = pool.tryAllocate(len);
                        if (address == SegmentPool.NULL_ADDRESS)
                        {
                            exhausted.incrementAndGet();
                            continue;
                        }
                        final Long previous = live.putIfAbsent(address, len);
                        assertNull(previous, "address handed out twice: 0x" + Long.toHexString(address));
                        serial++;
                        ByteBuffer.wrap(stamp).putLong(id).putLong(serial);
                        pool.memory().copyFromHost(stamp, 0, address, 16);
                        mine.add(new long[] {address, id, serial});
                        operations++;
                    }
                    else if (!mine.isEmpty())
                    {
                        final long[] segment = mine.remove(random.nextInt(mine.size()));
                        if (random.nextBoolean() && queues.get((id + 1) % THREADS).offer(segment))
                        {
                            continue;
                        }
                        checkAndFree(pool, live, segment, read);
                        operations++;
                    }
                }
                for (final long[] segment : mine)
                {
                    checkAndFree(pool, live, segment, read);
                }
                return operations;
            }));
        }
        long operations = 0;
        for (final Future<Long> result : results)
        {
            operations += result.get();
        }
        executor.shutdown();
        for (final ArrayBlockingQueue<long[]> queue : queues)
        {
            long[] segment;
            while ((segment = queue.poll()) != null)
            {
                checkAndFree(pool, live, segment, new byte[16]);
            }
        }
        assertTrue(live.isEmpty());
        assertTrue(operations > 20_000, "operations=" + operations);
        final PoolStats stats = pool.stats();
        assertEquals(0, stats.liveSegments());
        assertEquals(stats.allocations(), stats.frees());
        assertEquals(pool.capacity(), stats.freeBytes() + stats.bytesInUse(), "live plus free equals capacity");
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
        pool.close();
    }

    private static void checkAndFree(
        final SegmentPool pool, final ConcurrentHashMap<Long, Long> live, final long[] segment, final byte[] read)
    {
        pool.memory().copyToHost(segment[0], read, 0, 16);
        final ByteBuffer stamp = ByteBuffer.wrap(read);
        assertEquals(segment[1], stamp.getLong(), "segment overwritten by another owner");
        assertEquals(segment[2], stamp.getLong(), "segment overwritten by another allocation");
        assertNotNull(live.remove(segment[0]));
        pool.free(segment[0]);
    }

    @Test
    @Timeout(20)
    void shouldWakeAWaiterWhenAnotherThreadFrees() throws Exception
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(8 * MB).device(OffHeapDeviceAllocator.lazy()).build())
        {
            final long a = pool.allocate(3_110_400);
            final long b = pool.allocate(3_110_400);
            final CountDownLatch waiting = new CountDownLatch(1);
            final ExecutorService executor = Executors.newSingleThreadExecutor();
            final Future<Long> waiter = executor.submit(() ->
            {
                waiting.countDown();
                return pool.allocate(3_110_400, 10, TimeUnit.SECONDS);
            });
            waiting.await();
            Thread.sleep(100);
            assertFalse(waiter.isDone(), "the waiter must wait while the pool is full");
            pool.free(a);
            final long c = waiter.get(10, TimeUnit.SECONDS);
            assertNotEquals(SegmentPool.NULL_ADDRESS, c);
            executor.shutdown();
            pool.free(b);
            pool.free(c);
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    @Timeout(20)
    void shouldTimeOutWithAClearExceptionAndLeaveThePoolUnchanged() throws Exception
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("full").capacity(4 * MB).device(OffHeapDeviceAllocator.lazy()).build())
        {
            final long a = pool.allocate(3_110_400);
            final long start = System.nanoTime();
            final PoolExhaustedException e =
                assertThrows(PoolExhaustedException.class, () -> pool.allocate(3_110_400, 50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            assertTrue(e.waitedNanos() >= TimeUnit.MILLISECONDS.toNanos(50), "waited=" + e.waitedNanos());
            assertTrue(e.getMessage().contains(" after waiting "), e.getMessage());
            assertEquals(1, pool.stats().failures());
            assertEquals(1, pool.stats().liveSegments());
            assertThrows(IllegalArgumentException.class, () -> pool.allocate(10, -1, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> pool.allocate(10, 1, null));
            pool.free(a);
            assertNotEquals(SegmentPool.NULL_ADDRESS, pool.allocate(3_110_400, 0, TimeUnit.MILLISECONDS));
        }
        catch (final SegmentLeakException expected)
        {
            assertEquals(1, expected.leaked().size());
        }
    }

    @Test
    @Timeout(20)
    void shouldHonourInterruptionWhileWaiting() throws Exception
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(4 * MB).device(OffHeapDeviceAllocator.lazy()).build())
        {
            final long a = pool.allocate(3_110_400);
            final String before = pool.stats().toString();
            final AtomicBoolean interrupted = new AtomicBoolean();
            final Thread waiter = new Thread(() ->
            {
                try
                {
                    pool.allocate(3_110_400, 1, TimeUnit.MINUTES);
                }
                catch (final InterruptedException e)
                {
                    interrupted.set(true);
                }
            });
            waiter.start();
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join(10_000);
            assertTrue(interrupted.get());
            assertEquals(before, pool.stats().toString(), "an interrupted wait changes nothing, failures included");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> pool.allocate(10, 1, TimeUnit.SECONDS));
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was consumed by the exception");
            pool.free(a);
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    void shouldDrainTheCacheBeforeFailing()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(16 * MB).device(OffHeapDeviceAllocator.lazy())
            .sizeClassCacheBytes(16 * MB).build())
        {
            final List<Long> frames = new ArrayList<>();
            long address;
            while ((address = pool.tryAllocate(1_000_000)) != SegmentPool.NULL_ADDRESS)
            {
                frames.add(address);
            }
            frames.forEach(pool::free);
            final PoolStats parked = pool.stats();
            assertTrue(parked.cachedSegments() > 0 && parked.cachedSegments() <= 2 * ThreadCache.DEPTH,
                "freed segments are parked for reuse, up to a class in the thread's cache and one in the depot: "
                + parked);
            assertEquals(0, parked.liveSegments());
            assertEquals(16 * MB, parked.freeBytes(), "parked segments count as free");
            final long big = pool.allocate(12 * MB);
            assertEquals(0, pool.stats().cachedSegments(), "the failing allocation drained the cache");
            pool.free(big);
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    void shouldReuseAParkedSegmentForTheSameSize()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(64 * MB).device(OffHeapDeviceAllocator.lazy()).build())
        {
            pool.free(pool.allocate(3_110_400));
            final long first = pool.allocate(3_110_400);
            pool.free(first);
            assertEquals(1, pool.stats().cachedSegments(), "a size repeated three times gets a class");
            assertEquals(first, pool.allocate(3_110_400), "the parked segment comes back");
            assertEquals(0, pool.stats().cachedSegments());
            pool.free(first);
        }
    }

    @Test
    void shouldTellTheListenerAndRetryWhenItMadeRoom()
    {
        final List<String> events = new ArrayList<>();
        final long[] held = new long[1];
        final SegmentPool[] self = new SegmentPool[1];
        final AllocationListener listener = new AllocationListener()
        {
            @Override
            public void onAllocate(final long address, final long length)
            {
                events.add("allocate " + length);
            }

            @Override
            public void onFree(final long address, final long length)
            {
                events.add("free " + length);
            }

            @Override
            public boolean onFailure(final long length, final long segmentBytes)
            {
                events.add("failure " + length);
                if (held[0] != 0)
                {
                    self[0].free(held[0]);
                    held[0] = 0;
                    return true;
                }
                return false;
            }
        };
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(4 * MB).device(OffHeapDeviceAllocator.lazy())
            .listener(listener).sizeClassCacheBytes(0).build())
        {
            self[0] = pool;
            held[0] = pool.allocate(3_110_400);
            final long second = pool.allocate(3_000_000);
            assertEquals(List.of("allocate 3110400", "failure 3000000", "free 3110400", "allocate 3000000"), events);
            assertEquals(SegmentPool.NULL_ADDRESS, pool.tryAllocate(3_000_000));
            assertEquals("failure 3000000", events.get(events.size() - 1));
            pool.free(second);
        }
    }

    @Test
    void shouldNameAllocationSitesOfLeaksWhenTracking()
    {
        final SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("tracked").capacity(MB).device(OffHeapDeviceAllocator.lazy())
            .leakTracking(LeakTracking.PARANOID).build();
        final long kept = leakOneSegment(pool);
        pool.free(pool.allocate(10));
        final List<LiveSegment> live = pool.liveSegments();
        assertEquals(1, live.size());
        assertEquals(kept, live.get(0).address());
        assertNotNull(live.get(0).site());
        final SegmentLeakException e = assertThrows(SegmentLeakException.class, pool::close);
        assertTrue(e.getMessage().contains("leakOneSegment"), e.getMessage());
        assertEquals(kept, e.leaked().get(0).address());
    }

    private static long leakOneSegment(final SegmentPool pool)
    {
        return pool.allocate(777);
    }

    @Test
    void shouldSampleSitesWhenSampling()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(64 * MB).device(OffHeapDeviceAllocator.lazy())
            .leakTracking(LeakTracking.SAMPLED).build())
        {
            final List<Long> segments = new ArrayList<>();
            for (int i = 0; i < 4000; i++)
            {
                segments.add(pool.allocate(1000));
            }
            final long sampled = pool.liveSegments().stream().filter(s -> s.site() != null).count();
            assertTrue(sampled > 0 && sampled < 400, "sampled=" + sampled);
            segments.forEach(pool::free);
        }
    }

    @Test
    @Timeout(30)
    void shouldReturnTheSentinelUnderLoadOnAnEmulatedDeviceWithoutCorruption() throws Exception
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE_ONLY).build();
        final SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(8 * MB).device(device).build();
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final AtomicLong sentinels = new AtomicLong();
        final List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 2; t++)
        {
            final int id = t;
            work.add(executor.submit(() ->
            {
                final Random random = new Random(id);
                final List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 20_000; i++)
                {
                    if (random.nextInt(100) < 60)
                    {
                        final long address = pool.tryAllocate(100_000 + random.nextInt(900_000));
                        if (address == SegmentPool.NULL_ADDRESS)
                        {
                            sentinels.incrementAndGet();
                        }
                        else
                        {
                            mine.add(address);
                        }
                    }
                    else if (!mine.isEmpty())
                    {
                        pool.free(mine.remove(random.nextInt(mine.size())));
                    }
                }
                mine.forEach(pool::free);
                return null;
            }));
        }
        for (final Future<?> f : work)
        {
            f.get();
        }
        executor.shutdown();
        assertTrue(sentinels.get() > 0, "the pool must have run out under load");
        assertEquals(sentinels.get(), pool.stats().failures());
        assertEquals(0, pool.stats().guardViolations());
        assertTrue(pool.verify().isClean());
        pool.close();
        assertEquals(0, device.liveBlocks());
    }
}
