package io.carve.pool.policy;

import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FirstFitPolicyTest extends AllocationPolicyContract
{
    @Override
    protected PolicyFactory factory()
    {
        return FirstFitPolicy.factory();
    }

    @Test
    void shouldPlaceAtTheLowestFittingAlignedOffset()
    {
        final FirstFitPolicy policy = new FirstFitPolicy(4096);
        assertEquals(0, policy.allocate(100, 64));
        assertEquals(128, policy.allocate(10, 128));
        assertEquals(192, policy.allocate(64, 64));
        policy.free(0);
        assertEquals(0, policy.allocate(64, 64));
        assertEquals(64, policy.allocate(36, 1));
    }

    @Test
    void shouldKeepTheAlignmentGapFree()
    {
        final FirstFitPolicy policy = new FirstFitPolicy(1024);
        assertEquals(0, policy.allocate(32, 32));
        assertEquals(512, policy.allocate(256, 512));
        assertEquals(2, policy.freeExtentCount());
        assertEquals(480 + 256, policy.freeBytes());
        PolicyChecks.assertConsistent(policy);
    }

    @Test
    void shouldFillTheWholeCapacityExactly()
    {
        final FirstFitPolicy policy = new FirstFitPolicy(1 << 20);
        assertEquals(0, policy.allocate(1 << 20, 128));
        assertEquals(0, policy.freeBytes());
        assertEquals(0, policy.largestFreeExtent());
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(1, 1));
        PolicyChecks.assertConsistent(policy);
    }

    @Test
    void shouldRejectNonPositiveCapacity()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FirstFitPolicy(0));
        assertEquals("capacity must be positive: capacity=0", e.getMessage());
    }
}
