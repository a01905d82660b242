package io.carve.pool;

import io.carve.pool.policy.PolicyFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stress run of {@code close()} against threads that allocate, free (their own segments and other
 * threads'), wait, verify and read stats on a small pool over a {@link WatchedDevice}. It checks the
 * lifecycle promise: after {@code close()} returns no call of any thread touches the block, and a call that
 * started after it returned throws {@link PoolClosedException} rather than returning an address. Shared
 * by the pool tests of every policy (pool-core's test-jar).
 */
public final class CloseRace
{
    private static final int THREADS = 3;

    private CloseRace()
    {
    }

    /**
     * Runs {@code rounds} rounds, each with fresh threads and a fresh pool closed after a random delay.
     *
     * @param policy the policy under test.
     * @param seed   the seed of the delays and operations.
     * @param rounds rounds to run.
     * @throws InterruptedException if the test thread is interrupted.
     */
    public static void run(final PolicyFactory policy, final long seed, final int rounds) throws InterruptedException
    {
        final Random random = new Random(seed);
        int sawClosed = 0;
        for (int r = 0; r < rounds; r++)
        {
            final int round = r;
            final WatchedDevice device = new WatchedDevice();
            final SegmentPool pool = SegmentPool.builder().name("race").capacity(2L << 20).policy(policy).device(device)
                .leakAction(LeakAction.IGNORE).sizeClassCacheBytes(512 * 1024).build();
            final AtomicBoolean closeReturned = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final ConcurrentLinkedQueue<Long> handed = new ConcurrentLinkedQueue<>();
            final List<Thread> threads = new ArrayList<>();
            final AtomicBoolean[] closedSeen = new AtomicBoolean[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                final long threadSeed = random.nextLong();
                final AtomicBoolean seen = new AtomicBoolean();
                closedSeen[t] = seen;
                final Thread thread = new Thread(() -> work(pool, threadSeed, closeReturned, handed, failure, seen),
                    "close-race-" + round + "-" + t);
                threads.add(thread);
                thread.start();
            }
            Thread.sleep(0, random.nextInt(999_999));
            if (random.nextBoolean())
            {
                Thread.sleep(1 + random.nextInt(3));
            }
            pool.close();
            closeReturned.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(20));
                assertTrue(!thread.isAlive(), thread.getName() + " did not stop after close");
            }
            assertNull(device.violation(), () -> "round " + round + ": memory touched after close: " + device.violation());
            assertNull(failure.get(), () -> "round " + round + ": " + failure.get());
            for (final AtomicBoolean seen : closedSeen)
            {
                sawClosed += seen.get() ? 1 : 0;
            }
            device.dispose();
        }
        assertTrue(sawClosed > 0, "no thread ever ran into the closed pool");
    }

    private static long timed(final SegmentPool pool, final long len) throws InterruptedException
    {
        try
        {
            return pool.allocate(len, 1, TimeUnit.MILLISECONDS);
        }
        catch (final PoolExhaustedException e)
        {
            return SegmentPool.NULL_ADDRESS;
        }
    }

    private static void work(
        final SegmentPool pool,
        final long seed,
        final AtomicBoolean closeReturned,
        final ConcurrentLinkedQueue<Long> handed,
        final AtomicReference<Throwable> failure,
        final AtomicBoolean sawClosed)
    {
        final Random random = new Random(seed);
        final List<Long> mine = new ArrayList<>();
        final long[] lengths = {992, 992, 4000, 100, 60_000, 992};
        try
        {
            while (true)
            {
                final boolean startedAfterClose = closeReturned.get();
                final int op = random.nextInt(100);
                boolean called = true;
                if (op < 40 && mine.size() < 16)
                {
                    final long len = lengths[random.nextInt(lengths.length)];
                    final long address = op < 5 ? timed(pool, len) : pool.tryAllocate(len);
                    if (address != SegmentPool.NULL_ADDRESS)
                    {
                        if (startedAfterClose)
                        {
                            failure.compareAndSet(null, new AssertionError("an allocation that started after close()"
                                + " returned returned 0x" + Long.toHexString(address)));
                            return;
                        }
                        if (random.nextInt(4) == 0)
                        {
                            handed.offer(address);
                        }
                        else
                        {
                            mine.add(address);
                        }
                    }
                }
                else if (op < 75 && !mine.isEmpty())
                {
                    pool.free(mine.remove(mine.size() - 1 - random.nextInt(Math.min(2, mine.size()))));
                }
                else if (op < 88)
                {
                    final Long other = handed.poll();
                    if (other != null)
                    {
                        pool.free(other);
                    }
                    else
                    {
                        called = false;
                    }
                }
                else if (op < 94)
                {
                    final IntegrityReport report = pool.verify();
                    if (!report.isClean())
                    {
                        failure.compareAndSet(null, new AssertionError("verify() under load: " + report));
                        return;
                    }
                }
                else if (op >= 94)
                {
                    pool.stats();
                }
                else
                {
                    called = false;
                }
                if (startedAfterClose && called)
                {
                    failure.compareAndSet(null, new AssertionError("a call that started after close() returned did not"
                        + " throw PoolClosedException (op " + op + ")"));
                    return;
                }
            }
        }
        catch (final PoolClosedException expected)
        {
            sawClosed.set(true);
        }
        catch (final InterruptedException e)
        {
            failure.compareAndSet(null, e);
        }
        catch (final RuntimeException | Error e)
        {
            failure.compareAndSet(null, e);
        }
    }
}
