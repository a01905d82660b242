package io.carve.pool.policy.slab;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.testing.PolicyChecks;

import java.util.Map;
import java.util.TreeMap;

/**
 * Shared sizes and helpers of the slab tests.
 */
final class SlabTesting
{
    static final long MIB = 1L << 20;
    static final long NV12_720P = 1280 * 720 * 3 / 2;
    static final long NV12_1080P = 1920 * 1080 * 3 / 2;
    static final long NV12_4K = 3840 * 2160 * 3 / 2;
    static final AlignmentProfile PROFILE = AlignmentProfile.UNIFIED;

    private SlabTesting()
    {
    }

    static SlabPolicy create(final SlabPolicy.Builder builder, final long capacity)
    {
        return (SlabPolicy)builder.create(capacity, PROFILE);
    }

    static long segment(final long len)
    {
        return PROFILE.segmentSize(len);
    }

    static Map<String, Long> metrics(final AllocationPolicy policy)
    {
        final Map<String, Long> metrics = new TreeMap<>();
        policy.metrics(metrics::put);
        return metrics;
    }

    static long metric(final AllocationPolicy policy, final String name)
    {
        final Long value = metrics(policy).get(name);
        if (value == null)
        {
            throw new AssertionError("no metric " + name + " in " + metrics(policy));
        }
        return value;
    }

    static long reservedBytes(final AllocationPolicy policy)
    {
        long reserved = 0;
        for (final PolicyChecks.Extent e : PolicyChecks.extents(policy))
        {
            reserved += e.state() == BlockState.RESERVED ? e.size() : 0;
        }
        return reserved;
    }
}
