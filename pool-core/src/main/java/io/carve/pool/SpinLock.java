package io.carve.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A non-reentrant test-and-test-and-set lock for critical sections of a few nanoseconds (a record
 * shard's map update, a magazine's push or pop). A {@link java.util.concurrent.locks.ReentrantLock}
 * parks a thread that finds it held, and the futex wake-up costs microseconds, a thousand times the
 * section it waited for; this lock spins instead, and yields the processor after a while so that a
 * preempted holder on a 2-core machine gets to run. Not for sections that may block.
 * <p>
 * Subclassed by the structures it guards, so the lock word sits beside what it protects.
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
            if (++spins < SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        while ((int)STATE.getAcquire(this) != 0 || !STATE.compareAndSet(this, 0, 1));
    }

    final void unlock()
    {
        assert (int)STATE.getAcquire(this) == 1 : "unlock of a SpinLock that is not held";
        STATE.setRelease(this, 0);
    }
}
