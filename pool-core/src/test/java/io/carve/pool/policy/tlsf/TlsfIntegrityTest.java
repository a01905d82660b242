package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.testing.HeapProbe;
import io.carve.pool.testing.MediaLengths;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** The first block of the first non-empty list. */
    private static int firstFreeListed(final TlsfPolicy policy)
    {
        final long[] records = policy.records();
        for (int list = 0; list < policy.boundary(); list++)
        {
            if (BlockDescriptor.nextFree(records, list) != list)
            {
                return BlockDescriptor.nextFree(records, list);
            }
        }
        throw new AssertionError("no free block");
    }

    /** The id of the block at an offset, found by walking the physical chain. */
    private static int blockAt(final TlsfPolicy policy, final long offset)
    {
        final long[] records = policy.records();
        for (int b = BlockDescriptor.nextPhys(records, policy.boundary()); b != policy.boundary();
            b = BlockDescriptor.nextPhys(records, b))
        {
            if (BlockDescriptor.offset(records, b) == offset)
            {
                return b;
            }
        }
        throw new AssertionError("no block at offset=" + offset);
    }

    private static void assertReports(final TlsfPolicy policy, final String... fragments)
    {
        final List<String> problems = policy.verify();
        for (final String fragment : fragments)
        {
            assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)), () -> "no \"" + fragment + "\" in " + problems);
        }
    }

    @Test
    void shouldReportABitmapBitWithoutAList()
    {
        final TlsfPolicy policy = fragmented();
        policy.slBitmaps()[3] |= 1L;
        assertReports(policy, "first-level bit 3", "list (3, 0)");
    }

    @Test
    void shouldReportAFreeBlockWhoseSizeNoLongerTilesOrMatchesItsList()
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        final long[] records = policy.records();
        BlockDescriptor.size(records, block, BlockDescriptor.size(records, block) + 64 * 1024);
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.contains("do not tile") || p.contains("blocks end at")),
            problems::toString);
        assertReports(policy, "belongs in");
    }

    @Test
    void shouldReportAFreeBlockMissingFromItsList()
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        final long[] records = policy.records();
        final int list = BlockDescriptor.prevFree(records, block);
        final int next = BlockDescriptor.nextFree(records, block);
        BlockDescriptor.nextFree(records, list, next);
        BlockDescriptor.prevFree(records, next, list);
        assertReports(policy, "in no free list");
    }

    @Test
    void shouldReportABrokenFreeListBackLink()
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        BlockDescriptor.prevFree(policy.records(), block, policy.boundary() + 1);
        assertReports(policy, "free-list back link of id=" + block);
    }

    @Test
    void shouldReportAdjacentFreeBlocksAndBrokenAccounting()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().create(MIB, UNIFIED);
        policy.allocate(4096, 128);
        final long a = policy.allocate(4096, 128);
        assertTrue(policy.verify().isEmpty());
        // Mark the live block at a, which follows the free rest of the pool, as free without coalescing.
        final int block = blockAt(policy, a);
        BlockDescriptor.freeLinks(policy.records(), block, 0, 0);
        assertReports(policy, "not coalesced", "usedBytes=", "block index entry");
    }

    @Test
    void shouldReportABrokenPhysicalBackLink()
    {
        final TlsfPolicy policy = fragmented();
        final int block = firstFreeListed(policy);
        BlockDescriptor.prevPhys(policy.records(), block, block);
        assertReports(policy, "physical back link of id=" + block);
    }

    @Test
    void shouldReportALiveBlockTheIndexDoesNotFind()
    {
        final TlsfPolicy policy = fragmented();
        final long[] records = policy.records();
        final int live = BlockDescriptor.prevPhys(records, firstFreeListed(policy));
        final long offset = BlockDescriptor.offset(records, live);
        // Shift the block's recorded offset: the chain no longer tiles and the index entry names a block
        // that is not at the offset it is filed under.
        BlockDescriptor.offset(records, live, offset + 128);
        assertReports(policy, "live block not indexed by its offset: id=" + live, "do not tile");
    }

    @Test
    void shouldRejectAFreeOfAnOffsetInsideAGranuleWithoutAStart()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().minimumBlockSize(4096).create(MIB, UNIFIED);
        final long a = policy.allocate(100, 1);
        assertEquals(MIB - 4096, a);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy.free(a + 64));
        assertEquals("not the offset of a live block: offset=" + (a + 64), e.getMessage());
        assertTrue(policy.verify().isEmpty());
    }

    @Test
    void shouldFindSeveralLiveBlocksThatStartInOneGranule()
    {
        // 4 KiB minimum blocks make 4 KiB index granules. A 56-byte alignment gap becomes a free block, and the
        // 32-byte request that takes it makes a live block in the granule of the live block after the gap.
        final TlsfPolicy policy = TlsfPolicy.builder().minimumBlockSize(4096).create(MIB, UNIFIED);
        final TreeMap<Long, Long> model = new TreeMap<>();
        model.put(policy.allocate(MIB - 10_000, 1), MIB - 10_000);
        final long middle = policy.allocate(5000, 1);
        assertEquals(5000, middle);
        model.put(policy.allocate(5000, 1), 5000L);
        policy.free(middle);
        final long aligned = policy.allocate(100, 64);
        assertEquals(5056, aligned);
        model.put(aligned, 100L);
        final long small = policy.allocate(32, 1);
        assertEquals(5000, small, "the gap [5000, 5056) is the only free block");
        model.put(small, 32L);
        assertEquals(small >>> 12, aligned >>> 12, "both start in one granule");
        PolicyChecks.assertMatches(policy, model);

        assertEquals(56, policy.blockSize(small));
        assertEquals(10_000 - 5056, policy.blockSize(aligned), "found by stepping from the granule's first block");
        assertThrows(IllegalArgumentException.class, () -> policy.free(5024), "inside the small block");
        assertEquals(10_000 - 5056, policy.free(aligned));
        model.remove(aligned);
        PolicyChecks.assertMatches(policy, model);
        final long again = policy.allocate(100, 64);
        assertEquals(aligned, again);
        model.put(again, 100L);
        assertEquals(56, policy.free(small), "the granule's first block goes; the next live one takes its entry");
        model.remove(small);
        PolicyChecks.assertMatches(policy, model);
        assertEquals(10_000 - 5056, policy.blockSize(again));
    }

    @Test
    void shouldServeSmallBlocksInTheLargestCapacityWhereGranulesHoldMany()
    {
        // At 2^62 bytes the index root would need 2^55 references at 128-byte granules: granules grow to
        // 2^33 bytes instead, and the 300 blocks below all start in one of them.
        final TlsfPolicy policy = TlsfPolicy.builder().create(TlsfPolicy.MAX_CAPACITY, UNIFIED);
        final TreeMap<Long, Long> model = new TreeMap<>();
        final Random random = new Random(62);
        for (int i = 0; i < 300; i++)
        {
            final long size = UNIFIED.segmentSize(1 + random.nextInt(2048));
            model.put(policy.allocate(size, 128), size);
        }
        assertEquals(1, model.keySet().stream().map(o -> o >>> 33).distinct().count());
        PolicyChecks.assertMatches(policy, model);
        final List<Long> offsets = new ArrayList<>(model.keySet());
        java.util.Collections.shuffle(offsets, random);
        for (final long offset : offsets)
        {
            assertEquals(policy.blockSize(offset), policy.free(offset));
            assertThrows(IllegalArgumentException.class, () -> policy.free(offset));
            model.remove(offset);
        }
        PolicyChecks.assertMatches(policy, model);
        assertEquals(List.of(new PolicyChecks.Extent(0, TlsfPolicy.MAX_CAPACITY, io.carve.pool.policy.BlockState.FREE)),
            PolicyChecks.extents(policy));
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
