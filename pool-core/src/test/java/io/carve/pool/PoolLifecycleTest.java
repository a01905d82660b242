package io.carve.pool;

import io.carve.pool.align.MemoryApi;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens to calls that race {@code close()}: they finish before the block goes back, or throw
 * {@link PoolClosedException} without touching memory. The gated tests stop a call half-way through its
 * memory operation (the guard fill or check, through a {@link WatchedDevice}) and close the pool from
 * another thread: close must wait for the call, and the device must never see a touch after close.
 */
class PoolLifecycleTest
{
    private static final long MB = 1L << 20;

    private static SegmentPool pool(final WatchedDevice device)
    {
        return SegmentPool.builder().name("lifecycle").capacity(MB).device(device).leakAction(LeakAction.IGNORE).build();
    }

    /**
     * Runs {@code call} on {@code thread} until it is held at the device's gate, closes the pool from another
     * thread, checks that close waits while the call is inside, then lets the call go.
     */
    private static <T> T closeWhileHeld(
        final SegmentPool pool, final WatchedDevice device, final ExecutorService thread, final Callable<T> call)
        throws Exception
    {
        device.closeGate();
        final Future<T> inside = thread.submit(call);
        device.awaitAtGate();
        final CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);
        Thread.sleep(200);
        assertFalse(closing.isDone(), "close() returned while a call was still inside its memory operation");
        assertFalse(device.isBlockClosed(), "the block went back while a call was still inside it");
        device.openGate();
        final T result = inside.get(10, TimeUnit.SECONDS);
        closing.get(10, TimeUnit.SECONDS);
        assertTrue(device.isBlockClosed());
        assertNull(device.violation(), () -> "memory touched after close: " + device.violation());
        device.dispose();
        thread.shutdown();
        return result;
    }

    @Test
    @Timeout(30)
    void shouldFinishALockedAllocationsGuardFillBeforeCloseReturnsTheBlock() throws Exception
    {
        final WatchedDevice device = new WatchedDevice();
        final SegmentPool pool = pool(device);
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final long address = closeWhileHeld(pool, device, thread, () -> pool.allocate(1000));
        assertNotEquals(SegmentPool.NULL_ADDRESS, address, "a call that began before close completes");
        assertThrows(PoolClosedException.class, () -> pool.free(address));
    }

    @Test
    @Timeout(30)
    void shouldFinishACachedAllocationsGuardFillBeforeCloseReturnsTheBlock() throws Exception
    {
        final WatchedDevice device = new WatchedDevice();
        final SegmentPool pool = pool(device);
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        // A thread that frees and allocates the same size parks it in its own cache and takes it back.
        final long parked = thread.submit(() ->
        {
            pool.free(pool.allocate(992));
            final long again = pool.allocate(992);
            pool.free(again);
            return again;
        }).get();
        assertEquals(1, pool.stats().cachedSegments(), "the segment is parked in the thread's cache");
        final long address = closeWhileHeld(pool, device, thread, () -> pool.allocate(992));
        assertEquals(parked, address, "the held allocation was the cached one, and it completed");
    }

    @Test
    @Timeout(30)
    void shouldFinishALockedFreesGuardCheckBeforeCloseReturnsTheBlock() throws Exception
    {
        final WatchedDevice device = new WatchedDevice();
        final SegmentPool pool = pool(device);
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final long address = thread.submit(() -> pool.allocate(1000)).get();
        // A size seen once does not go to the cache: this free takes the pool lock.
        closeWhileHeld(pool, device, thread, () ->
        {
            pool.free(address);
            return null;
        });
    }

    @Test
    @Timeout(30)
    void shouldFinishACachedFreesGuardCheckBeforeCloseReturnsTheBlock() throws Exception
    {
        final WatchedDevice device = new WatchedDevice();
        final SegmentPool pool = pool(device);
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final long address = thread.submit(() ->
        {
            pool.free(pool.allocate(992));
            return pool.allocate(992);
        }).get();
        closeWhileHeld(pool, device, thread, () ->
        {
            pool.free(address);
            return null;
        });
    }

    @Test
    void shouldThrowPoolClosedExceptionForEveryCallAfterCloseEvenWithBadArguments() throws Exception
    {
        final SegmentPool pool = SegmentPool.builder().name("shut").capacity(MB).build();
        final long live = pool.allocate(100);
        pool.free(live);
        pool.close();
        pool.close();
        final Executable[] calls = {
            () -> pool.allocate(100),
            () -> pool.allocate(0),
            () -> pool.allocate(-1),
            () -> pool.allocate(Long.MAX_VALUE),
            () -> pool.allocate(100, MemoryApi.RT_MALLOC.profile()),
            () -> pool.allocate(100, null),
            () -> pool.tryAllocate(0),
            () -> pool.tryAllocate(100, null),
            () -> pool.allocate(100, -1, TimeUnit.SECONDS),
            () -> pool.allocate(100, 1, null),
            () -> pool.free(0),
            () -> pool.free(live),
            () -> pool.free(-5),
            () -> pool.requestedLength(0),
            () -> pool.requestedLength(live),
            pool::stats,
            pool::verify,
            pool::liveSegments,
            pool::memory,
            () -> pool.forEachLiveSegment((address, length) -> { })};
        for (final Executable call : calls)
        {
            final PoolClosedException e = assertThrows(PoolClosedException.class, call);
            assertEquals("shut", e.poolName());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    @Timeout(120)
    void shouldNeverTouchTheBlockOrReturnAnAddressAfterCloseUnderTlsf(final long seed) throws Exception
    {
        CloseRace.run(TlsfPolicy.builder(), seed, 120);
    }

    @Test
    @Timeout(120)
    void shouldNeverTouchTheBlockOrReturnAnAddressAfterCloseUnderFirstFit() throws Exception
    {
        CloseRace.run(FirstFitPolicy.factory(), 3, 120);
    }

    @Test
    @Timeout(30)
    void shouldWakeAWaiterWithPoolClosedExceptionWhenThePoolCloses() throws Exception
    {
        final SegmentPool pool = SegmentPool.builder().name("waiting").capacity(4 * MB).leakAction(LeakAction.IGNORE).build();
        pool.allocate(3 * MB);
        final CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return pool.allocate(3 * MB, 1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException e)
            {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(waiter.isDone());
        pool.close();
        final ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof PoolClosedException, e.toString());
    }
}
