package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.testing.HeapProbe;
import io.carve.pool.testing.MediaLengths;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integrity walker catches corrupted metadata, and the hot path allocates nothing.
 */
class TlsfIntegrityTest
{
    private static final AlignmentProfile UNIFIED = AlignmentProfile.UNIFIED;
    private static final long MIB = 1L << 20;

    private static TlsfPolicy fragmented()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().create(64 * MIB, UNIFIED);
        final List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            offsets.add(policy.allocate(UNIFIED.segmentSize(100_000 + i * 1000), 128));
        }
        for (int i = 0; i < 40; i += 3)
        {
            policy.free(offsets.get(i));
        }
        assertTrue(policy.verify().isEmpty());
        return policy;
    }

    private static Object field(final TlsfPolicy policy, final String name) throws ReflectiveOperationException
    {
        final Field field = TlsfPolicy.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(policy);
    }

    private static int firstFreeListed(final TlsfPolicy policy) throws ReflectiveOperationException
    {
        for (final int head : (int[])field(policy, "heads"))
        {
            if (head != TlsfPolicy.NIL)
            {
                return head;
            }
        }
        throw new AssertionError("no free block");
    }

    @Test
    void shouldReportABitmapBitWithoutAList() throws ReflectiveOperationException
    {
        final TlsfPolicy policy = fragmented();
        ((long[])field(policy, "slBitmaps"))[3] |= 1L;
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.contains("first-level bit 3")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("list (3, 0)")), problems::toString);
    }

    @Test
    void shouldReportAFreeBlockWhoseSizeNoLongerTilesOrMatchesItsList() throws ReflectiveOperationException
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        ((long[])field(policy, "extents"))[(block << 1) + 1] += 64 * 1024;
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.contains("do not tile") || p.contains("blocks end at")),
            problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("belongs in")), problems::toString);
    }

    @Test
    void shouldReportAFreeBlockMissingFromItsList() throws ReflectiveOperationException
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        final int[] links = (int[])field(policy, "links");
        final int[] heads = (int[])field(policy, "heads");
        for (int list = 0; list < heads.length; list++)
        {
            if (heads[list] == block)
            {
                heads[list] = links[(block << 2) + 3];
            }
        }
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.contains("in no free list")), problems::toString);
    }

    @Test
    void shouldReportAdjacentFreeBlocksAndBrokenAccounting() throws ReflectiveOperationException
    {
        final TlsfPolicy policy = TlsfPolicy.builder().create(MIB, UNIFIED);
        policy.allocate(4096, 128);
        final long a = policy.allocate(4096, 128);
        assertTrue(policy.verify().isEmpty());
        // Mark the live block at a, which follows the free rest of the pool, as free without coalescing.
        final int[] links = (int[])field(policy, "links");
        for (int id = 0; id < 3; id++)
        {
            if (((long[])field(policy, "extents"))[id << 1] == a)
            {
                links[(id << 2) + 2] = TlsfPolicy.NIL;
            }
        }
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.contains("not coalesced")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("usedBytes=")), problems::toString);
    }

    @Test
    void shouldAllocateNothingOnTheHeapInSteadyState()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().initialBlocks(4096).create(1L << 36, UNIFIED);
        final Random random = new Random(8);
        final int live = 1000;
        final int events = 200_000;
        final long[] offsets = new long[live];
        final long[] sizes = new long[events];
        final int[] victims = new int[events];
        for (int i = 0; i < events; i++)
        {
            sizes[i] = UNIFIED.segmentSize(MediaLengths.randomMediaLength(random));
            victims[i] = random.nextInt(live);
        }
        for (int i = 0; i < live; i++)
        {
            offsets[i] = policy.allocate(sizes[i], 128);
        }
        HeapProbe.assertAllocationFree(2 * events + " allocate and free calls", () -> churn(policy, offsets, sizes, victims));
        assertTrue(policy.verify().isEmpty());
    }

    private static long churn(final TlsfPolicy policy, final long[] offsets, final long[] sizes, final int[] victims)
    {
        long checksum = 0;
        for (int i = 0; i < sizes.length; i++)
        {
            final int victim = victims[i];
            checksum += policy.free(offsets[victim]);
            final long offset = policy.allocate(sizes[i], 128);
            assert offset != AllocationPolicy.NO_OFFSET;
            offsets[victim] = offset;
        }
        return checksum;
    }
}
