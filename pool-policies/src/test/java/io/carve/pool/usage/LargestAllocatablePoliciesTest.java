package io.carve.pool.usage;

import io.carve.pool.LeakAction;
import io.carve.pool.SegmentPool;
import io.carve.pool.policy.buddy.BuddyPolicy;
import io.carve.pool.policy.slab.SlabPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import io.carve.pool.testing.LargestAllocatableRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SegmentPool#largestAllocatable()} against a brute-force search on buddy and slab pools, with and
 * without thread caches.
 */
class LargestAllocatablePoliciesTest
{
    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "cache bytes {0}")
    @ValueSource(longs = {0, MIB / 4})
    void shouldBeExactWithBuddy(final long cacheBytes)
    {
        LargestAllocatableRun.check(SegmentPool.builder().capacity(4 * MIB).policy(BuddyPolicy.builder())
            .sizeClassCacheBytes(cacheBytes).leakAction(LeakAction.IGNORE), 21);
    }

    @ParameterizedTest(name = "cache bytes {0}")
    @ValueSource(longs = {0, MIB / 2})
    void shouldBeExactWithSlabOverTlsf(final long cacheBytes)
    {
        LargestAllocatableRun.check(SegmentPool.builder().capacity(8 * MIB)
            .policy(SlabPolicy.builder().sizeClasses(992, 16_352, 65_504).backing(TlsfPolicy.builder()))
            .sizeClassCacheBytes(cacheBytes).leakAction(LeakAction.IGNORE), 22);
    }
}
