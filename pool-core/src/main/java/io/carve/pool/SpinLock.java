package io.carve.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A non-reentrant test-and-test-and-set lock for critical sections of nanoseconds (a thread cache's take or
 * park, the pool's policy call). A {@link java.util.concurrent.locks.ReentrantLock} parks a thread that
 * finds it held, and the futex wake-up costs microseconds, a thousand times the section it waited for;
 * this lock spins instead, then yields the processor so that a preempted holder on a 2-core machine gets
 * to run. Uncontended, {@link #lock()} is one compare-and-set and {@link #unlock()} one release store.
 * Sections that hold it for long ({@code verify()}, {@code stats()} over many threads) are diagnostics,
 * not hot paths; a thread that waits for them yields the processor on every try.
 * <p>
 * Acquiring happens-after the previous release (the compare-and-set reads the release store's value), so
 * what a holder wrote is seen by the next holder. Subclassed by the structures it guards, so the lock word
 * sits beside what it protects.
 */
class SpinLock
{
    private static final VarHandle STATE;
    private static final int SPINS_BEFORE_YIELD = 64;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile int state;

    final void lock()
    {
        if (!STATE.compareAndSet(this, 0, 1))
        {
            lockContended();
        }
    }

    private void lockContended()
    {
        int spins = 0;
        do
        {
            if (spins < SPINS_BEFORE_YIELD)
            {
                spins++;
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        while ((int)STATE.getAcquire(this) != 0 || !STATE.compareAndSet(this, 0, 1));
    }

    /** Whether the lock is held by some thread now: for assertions and tests only. */
    final boolean isLocked()
    {
        return (int)STATE.getAcquire(this) != 0;
    }

    final void unlock()
    {
        assert (int)STATE.getAcquire(this) == 1 : "unlock of a SpinLock that is not held";
        STATE.setRelease(this, 0);
    }
}
