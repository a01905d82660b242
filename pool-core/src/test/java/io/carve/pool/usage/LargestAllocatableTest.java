package io.carve.pool.usage;

import io.carve.pool.LeakAction;
import io.carve.pool.SegmentPool;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import io.carve.pool.testing.LargestAllocatableRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SegmentPool#largestAllocatable()} against a brute-force search, with and without thread caches,
 * on the policies in pool-core (pool-policies checks buddy and slab the same way).
 */
class LargestAllocatableTest
{
    private static final long CAPACITY = 4L << 20;

    @ParameterizedTest(name = "cache bytes {0}")
    @ValueSource(longs = {0, CAPACITY / 16})
    void shouldBeExactWithTlsf(final long cacheBytes)
    {
        LargestAllocatableRun.check(SegmentPool.builder().capacity(CAPACITY).policy(TlsfPolicy.builder())
            .sizeClassCacheBytes(cacheBytes).leakAction(LeakAction.IGNORE), 11);
    }

    @ParameterizedTest(name = "cache bytes {0}")
    @ValueSource(longs = {0, CAPACITY / 16})
    void shouldBeExactWithFirstFit(final long cacheBytes)
    {
        LargestAllocatableRun.check(SegmentPool.builder().capacity(CAPACITY).policy(FirstFitPolicy.factory())
            .sizeClassCacheBytes(cacheBytes).leakAction(LeakAction.IGNORE), 12);
    }
}
