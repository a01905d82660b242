package io.carve.pool.device;

import io.carve.pool.GuardViolationException;
import io.carve.pool.PoolStats;
import io.carve.pool.SegmentPool;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pools over the FFM binding and the stand-in: every pool-core policy, guard bytes armed and checked through
 * aclrtMemset / aclrtMemcpy on device memory the host cannot touch. (The buddy and slab policies live in
 * pool-policies and can run the same over AclStandIn from pool-core's test-jar.)
 */
class AscendPoolTest
{
    private static final long MB = 1L << 20;

    static Stream<Arguments> poolsOverTheBinding()
    {
        final List<Arguments> all = new ArrayList<>();
        for (final MemoryApi api : new MemoryApi[] {MemoryApi.RT_MALLOC, MemoryApi.DVPP_V1, MemoryApi.DVPP_V2})
        {
            all.add(Arguments.of(api, "first-fit", FirstFitPolicy.factory()));
            all.add(Arguments.of(api, "tlsf", TlsfPolicy.builder()));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("poolsOverTheBinding")
    void shouldCarveGuardAndCheckSegmentsOfRealDeviceMemory(final MemoryApi api, final String policyName, final PolicyFactory policy)
    {
        final AscendDevice device = StandIn.device().api(api).build();
        final long memsets = StandIn.calls(VendorCall.MEMSET);
        final long memcpys = StandIn.calls(VendorCall.MEMCPY);
        try (SegmentPool pool = SegmentPool.builder().name("npu").capacity(64 * MB).device(device).policy(policy).build())
        {
            assertFalse(pool.memory().isHostAccessible());
            final Random random = new Random(42);
            final List<Long> live = new ArrayList<>();
            for (int step = 0; step < 600; step++)
            {
                if (live.isEmpty() || random.nextInt(100) < 60)
                {
                    final long len = 1 + random.nextInt(random.nextBoolean() ? 4096 : 3_110_400);
                    final long address = pool.tryAllocate(len);
                    if (address != SegmentPool.NULL_ADDRESS)
                    {
                        assertEquals(0, address % 128);
                        live.add(address);
                    }
                }
                else
                {
                    pool.free(live.remove(random.nextInt(live.size())));
                }
                if (step % 100 == 0)
                {
                    assertTrue(pool.verify().isClean(), pool.verify().problems().toString());
                }
            }
            for (final long address : live)
            {
                pool.free(address);
            }
            final PoolStats stats = pool.stats();
            assertEquals(0, stats.liveSegments());
            assertEquals(0, stats.guardViolations());
            assertTrue(StandIn.calls(VendorCall.MEMSET) > memsets, "guards were armed with aclrtMemset");
            assertTrue(StandIn.calls(VendorCall.MEMCPY) > memcpys, "guards were checked with aclrtMemcpy");
        }
        assertEquals(0, device.liveBlocks(), "the pool gave its block back");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("poolsOverTheBinding")
    void shouldCatchAnOverwriteOfTheTailThroughTheDevicesMemcpy(final MemoryApi api, final String policyName, final PolicyFactory policy)
    {
        final AscendDevice device = StandIn.device().api(api).build();
        try (SegmentPool pool = SegmentPool.builder().name("npu").capacity(16 * MB).device(device).policy(policy).build())
        {
            for (final long len : new long[] {1, 31, 32, 100, 3_110_400})
            {
                final long m = pool.alignment().segmentSize(len);
                for (final long position : new long[] {len, m - 1})
                {
                    final long address = pool.allocate(len);
                    pool.memory().copyFromHost(new byte[] {0}, 0, address + position, 1);
                    final GuardViolationException e = assertThrows(GuardViolationException.class, () -> pool.free(address));
                    assertEquals(position, e.damagedOffset());
                    assertEquals(0, e.found());
                }
            }
            assertTrue(pool.verify().isClean());
            assertEquals(10, pool.stats().guardViolations());
        }
        assertEquals(0, device.liveBlocks());
    }
}
