package io.carve.pool;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Model-checks {@link SpinLock} with Lincheck: a counter whose read-increment-write runs under the lock
 * must behave as an atomic counter in every interleaving the checker explores.
 */
public class SpinLockModelTest
{
    private final SpinLock lock = new SpinLock();
    private int value;

    @Operation
    public int increment()
    {
        lock.lock();
        try
        {
            final int next = value + 1;
            value = next;
            return next;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Operation
    public int get()
    {
        lock.lock();
        try
        {
            return value;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Test
    void shouldBeLinearizable()
    {
        new ModelCheckingOptions().iterations(10).invocationsPerIteration(300).threads(3).actorsPerThread(3)
            .check(getClass());
    }
}
