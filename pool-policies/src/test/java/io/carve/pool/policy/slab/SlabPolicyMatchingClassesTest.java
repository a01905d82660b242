package io.carve.pool.policy.slab;

import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.AllocationPolicyContract;
import io.carve.pool.policy.PolicyFactory;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.carve.pool.policy.slab.SlabTesting.metric;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract again, with power-of-two classes from 1 KiB to 1 MiB that accept half-filled objects, so
 * that most of the contract's random sizes are served by slabs (kmalloc-like), and two spare slabs per class.
 */
class SlabPolicyMatchingClassesTest extends AllocationPolicyContract
{
    @Override
    protected PolicyFactory factory()
    {
        final SlabPolicy.Builder builder = SlabPolicy.builder().minFill(0.5).spareSlabs(2);
        for (long len = 1024; len <= 1 << 20; len <<= 1)
        {
            builder.sizeClass(len);
        }
        return builder;
    }

    @Test
    void shouldServeMostContractSizesFromSlabs()
    {
        final AllocationPolicy policy = newPolicy();
        final Random random = new Random(5);
        int slabbed = 0;
        for (int i = 0; i < 200; i++)
        {
            final long size = randomSegmentSize(random);
            slabbed += ((SlabPolicy)policy).classOf(size) >= 0 ? 1 : 0;
            policy.allocate(size, 128);
        }
        assertTrue(slabbed > 140, "only " + slabbed + " of 200 sizes matched a class");
        assertTrue(metric(policy, "slab.live.objects") > 100, "slab.live.objects=" + metric(policy, "slab.live.objects"));
    }
}
