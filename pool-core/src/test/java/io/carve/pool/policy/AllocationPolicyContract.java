package io.carve.pool.policy;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.carve.pool.testing.PolicyChecks.assertConsistent;
import static io.carve.pool.testing.PolicyChecks.assertMatches;
import static io.carve.pool.testing.PolicyChecks.assertPlaced;
import static io.carve.pool.testing.PolicyChecks.extents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link AllocationPolicy} must keep. Each policy's test extends this class and names
 * its factory; published in pool-core's test-jar.
 */
public abstract class AllocationPolicyContract
{
    /**
     * The factory under test.
     *
     * @return a factory, configured as the policy's test wants.
     */
    protected abstract PolicyFactory factory();

    /**
     * The capacity the contract's policies manage; override for a policy that needs another.
     *
     * @return bytes; 64 MiB by default.
     */
    protected long capacity()
    {
        return 64L << 20;
    }

    /**
     * The alignment profile the policies are created with.
     *
     * @return the profile; unified by default.
     */
    protected AlignmentProfile profile()
    {
        return AlignmentProfile.UNIFIED;
    }

    /**
     * Creates a fresh policy.
     *
     * @return a new policy over {@link #capacity()}.
     */
    protected final AllocationPolicy newPolicy()
    {
        final AllocationPolicy policy = factory().create(capacity(), profile());
        assertEquals(factory().name(), policy.name());
        return policy;
    }

    /**
     * Segment sizes as the pool asks for them: {@code ALIGN_UP(len,32)+32} for media-like lengths.
     *
     * @param random the source.
     * @return a segment size.
     */
    protected long randomSegmentSize(final Random random)
    {
        final long maxLen = Math.max(1, capacity() / 64);
        final long len = random.nextInt(4) == 0 ? 1 + random.nextInt(4096) : 1 + (long)(random.nextDouble() * maxLen);
        return profile().segmentSize(len);
    }

    @Test
    void shouldStartEmptyAndConsistent()
    {
        final AllocationPolicy policy = newPolicy();
        assertEquals(capacity(), policy.capacity());
        assertEquals(0, policy.usedBytes());
        assertEquals(0, policy.liveBlocks());
        assertTrue(policy.freeBytes() > 0);
        assertTrue(policy.largestFreeExtent() > 0);
        assertTrue(policy.metadataBytes() >= 0);
        assertConsistent(policy);
    }

    @Test
    void shouldReturnAlignedNonOverlappingBlocks()
    {
        final AllocationPolicy policy = newPolicy();
        final TreeMap<Long, Long> model = new TreeMap<>();
        final long[] alignments = {64, 128};
        final Random random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            final long size = profile().segmentSize(1 + random.nextInt(100_000));
            final long alignment = alignments[i % 2];
            final long offset = policy.allocate(size, alignment);
            if (offset == AllocationPolicy.NO_OFFSET)
            {
                break;
            }
            assertPlaced(policy, model, offset, size, alignment);
            model.put(offset, size);
        }
        assertTrue(model.size() > 10, "too few blocks carved: " + model.size());
        assertMatches(policy, model);
    }

    @Test
    void shouldReturnNoOffsetWhenExhaustedAndStayConsistent()
    {
        final AllocationPolicy policy = newPolicy();
        final TreeMap<Long, Long> model = new TreeMap<>();
        final long size = profile().segmentSize(capacity() / 10);
        long offset;
        while ((offset = policy.allocate(size, 128)) != AllocationPolicy.NO_OFFSET)
        {
            model.put(offset, size);
        }
        assertTrue(model.size() >= 1);
        final List<PolicyChecks.Extent> before = extents(policy);
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(size, 128));
        assertEquals(before, extents(policy), "a failed allocation changed the policy");
        assertMatches(policy, model);
    }

    @Test
    void shouldRefuseSizeLargerThanCapacity()
    {
        final AllocationPolicy policy = newPolicy();
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(capacity() + 1, 128));
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(Long.MAX_VALUE - 4096, 128));
        assertConsistent(policy);
        assertEquals(0, policy.liveBlocks());
    }

    @Test
    void shouldObtainItsMaximumAllocationWhenEmptyAndNothingLarger()
    {
        for (final long alignment : new long[] {1, 64, 128, 4096})
        {
            final AllocationPolicy policy = newPolicy();
            final long maximum = policy.maximumAllocation(alignment);
            assertTrue(maximum > 0 && maximum <= capacity(), "alignment=" + alignment + ": maximum=" + maximum);
            assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(maximum + 1, alignment),
                "alignment=" + alignment + ": more than the maximum " + maximum + " was carved");
            assertEquals(0, policy.liveBlocks());
            final long offset = policy.allocate(maximum, alignment);
            assertNotEquals(AllocationPolicy.NO_OFFSET, offset, "alignment=" + alignment + ": maximum=" + maximum);
            assertEquals(0, offset % alignment);
            policy.free(offset);
            assertConsistent(policy);
        }
    }

    @Test
    void shouldAllocateExactlyTheLargestFreeExtent()
    {
        final AllocationPolicy policy = newPolicy();
        final long largest = policy.largestFreeExtent();
        final long offset = policy.allocate(largest, 1);
        assertNotEquals(AllocationPolicy.NO_OFFSET, offset, "largestFreeExtent=" + largest + " could not be allocated");
        assertConsistent(policy);
        policy.free(offset);
        assertConsistent(policy);
    }

    @Test
    void shouldRestoreFreeBytesAfterFreeingEverythingInAnyOrder()
    {
        final AllocationPolicy policy = newPolicy();
        final long freshFree = policy.freeBytes();
        final long freshLargest = policy.largestFreeExtent();
        final Random random = new Random(11);
        final List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            final long offset = policy.allocate(randomSegmentSize(random), 128);
            if (offset != AllocationPolicy.NO_OFFSET)
            {
                offsets.add(offset);
            }
        }
        Collections.shuffle(offsets, random);
        for (final long offset : offsets)
        {
            policy.free(offset);
        }
        assertEquals(0, policy.usedBytes());
        assertEquals(0, policy.liveBlocks());
        assertEquals(freshFree, policy.freeBytes());
        assertEquals(freshLargest, policy.largestFreeExtent());
        assertConsistent(policy);
    }

    @Test
    void shouldReturnTheBlockSizeFromFree()
    {
        final AllocationPolicy policy = newPolicy();
        final long size = profile().segmentSize(3_110_400);
        final long offset = policy.allocate(size, 128);
        final long used = policy.usedBytes();
        assertTrue(used >= size);
        assertEquals(used, policy.free(offset));
        assertEquals(0, policy.usedBytes());
    }

    @Test
    void shouldReuseFreedSpace()
    {
        final AllocationPolicy policy = newPolicy();
        final long size = profile().segmentSize(capacity() / 8);
        final List<Long> offsets = new ArrayList<>();
        long offset;
        while ((offset = policy.allocate(size, 128)) != AllocationPolicy.NO_OFFSET)
        {
            offsets.add(offset);
        }
        policy.free(offsets.get(offsets.size() / 2));
        assertNotEquals(AllocationPolicy.NO_OFFSET, policy.allocate(size, 128));
        assertConsistent(policy);
    }

    @Test
    void shouldRejectFreeOfAnythingButALiveBlockAndStayUnchanged()
    {
        final AllocationPolicy policy = newPolicy();
        final long size = profile().segmentSize(10_000);
        final long a = policy.allocate(size, 128);
        final long b = policy.allocate(size, 128);
        policy.free(b);
        final List<PolicyChecks.Extent> before = extents(policy);
        final long used = policy.usedBytes();

        assertThrows(IllegalArgumentException.class, () -> policy.free(b), "double free");
        assertThrows(IllegalArgumentException.class, () -> policy.free(a + 128), "interior");
        assertThrows(IllegalArgumentException.class, () -> policy.free(capacity() - 128), "never allocated");
        assertThrows(IllegalArgumentException.class, () -> policy.free(-1), "negative");
        assertThrows(IllegalArgumentException.class, () -> policy.free(capacity()), "past the end");

        assertEquals(before, extents(policy));
        assertEquals(used, policy.usedBytes());
        assertConsistent(policy);
    }

    @Test
    void shouldSurviveARandomSequenceCheckedAfterEveryStep()
    {
        final AllocationPolicy policy = newPolicy();
        final TreeMap<Long, Long> model = new TreeMap<>();
        final Random random = new Random(2024);
        final List<Long> live = new ArrayList<>();
        for (int step = 0; step < 1500; step++)
        {
            if (live.isEmpty() || random.nextDouble() < 0.6)
            {
                final long size = randomSegmentSize(random);
                final long alignment = random.nextBoolean() ? 64 : 128;
                final long offset = policy.allocate(size, alignment);
                if (offset != AllocationPolicy.NO_OFFSET)
                {
                    assertPlaced(policy, model, offset, size, alignment);
                    model.put(offset, size);
                    live.add(offset);
                }
            }
            else
            {
                final long offset = live.remove(random.nextInt(live.size()));
                final long held = policy.free(offset);
                assertTrue(held >= model.remove(offset));
            }
            assertMatches(policy, model);
        }
    }

    @Test
    void shouldKeepEveryBlockSizeFixedFromAllocateToFree()
    {
        final AllocationPolicy policy = newPolicy();
        final TreeMap<Long, Long> sizes = new TreeMap<>();
        final Random random = new Random(6464);
        final List<Long> live = new ArrayList<>();
        for (int step = 0; step < 1200; step++)
        {
            if (live.isEmpty() || random.nextDouble() < 0.6)
            {
                final long size = randomSegmentSize(random);
                final long alignment = random.nextBoolean() ? 64 : 128;
                final long usedBefore = policy.usedBytes();
                final long offset = policy.allocate(size, alignment);
                if (offset != AllocationPolicy.NO_OFFSET)
                {
                    final long held = policy.blockSize(offset);
                    assertTrue(held >= size, () -> "block of " + held + " bytes for size " + size);
                    assertEquals(usedBefore + held, policy.usedBytes(), "usedBytes grew by more than the new block");
                    sizes.put(offset, held);
                    live.add(offset);
                }
            }
            else
            {
                final long offset = live.remove(random.nextInt(live.size()));
                assertEquals(sizes.remove(offset), policy.free(offset), "free returned another size than at allocate");
            }
            long sum = 0;
            for (final Map.Entry<Long, Long> e : sizes.entrySet())
            {
                assertEquals(e.getValue(), policy.blockSize(e.getKey()), "the size of the block at " + e.getKey() + " changed");
                sum += e.getValue();
            }
            assertEquals(sum, policy.usedBytes(), "live block sizes do not sum to usedBytes");
        }
        assertConsistent(policy);
    }

    @Test
    void shouldRejectBlockSizeOfAnythingButALiveBlock()
    {
        final AllocationPolicy policy = newPolicy();
        final long size = profile().segmentSize(10_000);
        final long a = policy.allocate(size, 128);
        final long b = policy.allocate(size, 128);
        policy.free(b);
        final List<PolicyChecks.Extent> before = extents(policy);

        assertTrue(policy.blockSize(a) >= size);
        assertEquals("not the offset of a live block: offset=" + b,
            assertThrows(IllegalArgumentException.class, () -> policy.blockSize(b), "freed").getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy.blockSize(a + 128), "interior");
        assertThrows(IllegalArgumentException.class, () -> policy.blockSize(capacity() - 128), "never allocated");
        assertThrows(IllegalArgumentException.class, () -> policy.blockSize(-1), "negative");
        assertThrows(IllegalArgumentException.class, () -> policy.blockSize(capacity()), "past the end");
        assertEquals(before, extents(policy));
        assertConsistent(policy);
    }

    @Test
    void shouldReportMetricsWithNames()
    {
        final AllocationPolicy policy = newPolicy();
        final Map<String, Long> metrics = new TreeMap<>();
        policy.metrics(metrics::put);
        metrics.keySet().forEach(name -> assertTrue(!name.isBlank() && name.equals(name.toLowerCase()),
            "metric names are lower-case: " + name));
    }

    @Test
    void shouldReportTheLargestAllocatableExactlyThroughARandomSequence()
    {
        final AllocationPolicy policy = newPolicy();
        final Random random = new Random(77);
        final List<Long> live = new ArrayList<>();
        for (int step = 0; step < 400; step++)
        {
            if (live.isEmpty() || random.nextDouble() < 0.6)
            {
                final long offset = policy.allocate(randomSegmentSize(random), random.nextBoolean() ? 64 : 128);
                if (offset != AllocationPolicy.NO_OFFSET)
                {
                    live.add(offset);
                }
            }
            else
            {
                policy.free(live.remove(random.nextInt(live.size())));
            }
            if (step % 8 == 0)
            {
                for (final long alignment : new long[] {32, 128, 4096})
                {
                    assertLargestAllocatableIsExact(policy, alignment);
                }
            }
        }
        assertConsistent(policy);
    }

    /**
     * Brute force: the reported size is carved at {@code alignment}, and every larger candidate is refused: each
     * size up to 64 KiB past it, every free extent's size, and every power of two up to the capacity.
     *
     * @param policy    the policy, left as it was found for every policy that coalesces on free.
     * @param alignment the alignment.
     */
    protected static void assertLargestAllocatableIsExact(final AllocationPolicy policy, final long alignment)
    {
        final long largest = policy.largestAllocatable(alignment);
        if (largest > 0)
        {
            final long offset = policy.allocate(largest, alignment);
            assertNotEquals(AllocationPolicy.NO_OFFSET, offset,
                () -> policy.name() + " reported " + largest + " allocatable at " + alignment + " but refused it");
            policy.free(offset);
        }
        final java.util.TreeSet<Long> larger = new java.util.TreeSet<>();
        for (long size = largest + 1; size <= largest + (64 << 10); size += size == largest + 1 ? 31 : 32)
        {
            larger.add(size);
        }
        for (final PolicyChecks.Extent e : extents(policy))
        {
            if (e.state() == BlockState.FREE && e.size() > largest)
            {
                larger.add(e.size());
            }
        }
        for (long size = Long.highestOneBit(Math.max(1, largest)) << 1; size <= policy.capacity(); size <<= 1)
        {
            larger.add(size);
        }
        for (final long size : larger.tailSet(largest, false))
        {
            if (size > policy.capacity())
            {
                break;
            }
            final long offset = policy.allocate(size, alignment);
            if (offset != AllocationPolicy.NO_OFFSET)
            {
                policy.free(offset);
                throw new AssertionError(policy.name() + " reported " + largest + " allocatable at " + alignment
                    + " but carved " + size);
            }
        }
    }
}
