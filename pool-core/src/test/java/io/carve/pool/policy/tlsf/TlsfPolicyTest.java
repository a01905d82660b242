package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.AllocationPolicyContract;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.PolicyFactory;
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

class TlsfPolicyTest extends AllocationPolicyContract
{
    private static final AlignmentProfile UNIFIED = AlignmentProfile.UNIFIED;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Override
    protected PolicyFactory factory()
    {
        return TlsfPolicy.builder();
    }

    private static TlsfPolicy tlsf(final long capacity)
    {
        return TlsfPolicy.builder().create(capacity, UNIFIED);
    }

    @Test
    void shouldTellWhetherTwoSizesShareAListAsListOfDoes()
    {
        final Random random = new Random(9);
        for (int i = 0; i < 100_000; i++)
        {
            final int slLog2 = 2 + random.nextInt(5);
            final long a = 1 + (random.nextLong() >>> (2 + random.nextInt(62)));
            final long b = random.nextBoolean() ? 1 + (random.nextLong() >>> (2 + random.nextInt(62)))
                : Math.max(1, a + random.nextInt(1 << random.nextInt(20)) - (1 << 10));
            assertEquals(TlsfPolicy.listOf(a, slLog2) == TlsfPolicy.listOf(b, slLog2), TlsfPolicy.sameList(a, b, slLog2),
                () -> "a=" + a + ", b=" + b + ", slLog2=" + slLog2);
        }
        assertTrue(TlsfPolicy.sameList(3, 3, 5) && !TlsfPolicy.sameList(3, 4, 5), "below 2^s every size has its own list");
    }

    @Test
    void shouldMapSizesToTheirTwoLevelList()
    {
        // 3,110,432 = 47.46 * 2^16: fl = 21, sl = 47 - 32 = 15; every block of list (21, 16) holds it.
        assertEquals(21 * 32 + 15, TlsfPolicy.listOf(3_110_432, 5));
        assertEquals(21 * 32 + 16, TlsfPolicy.searchListOf(3_110_432, 5));
        assertEquals(21 * 32 + 15, TlsfPolicy.searchListOf(47L << 16, 5), "a list's lower bound fits as is");
        assertEquals(7 * 32, TlsfPolicy.listOf(128, 5));
        assertEquals(2 * 32 + 16, TlsfPolicy.listOf(6, 5), "below 2^s every size has a list of its own");
        assertEquals(62 * 4 + 3, TlsfPolicy.listOf(Long.MAX_VALUE, 2));
        final Random random = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            final long size = 1 + (random.nextLong() >>> (2 + random.nextInt(62)));
            final int list = TlsfPolicy.searchListOf(size, 5);
            final int fl = list >>> 5;
            final long lowest = fl >= 5 ? (32L + (list & 31)) << (fl - 5) : (32L + (list & 31)) >> (5 - fl);
            assertTrue(lowest >= size, "list " + list + " starts at " + lowest + " below size " + size);
            assertTrue(list <= TlsfPolicy.listOf(size, 5) + 1);
        }
    }

    @Test
    void shouldAllocateTheWholeCapacityExactly()
    {
        final long capacity = 100 * MIB + 32;
        final TlsfPolicy policy = tlsf(capacity);
        assertEquals(capacity, policy.largestFreeExtent());
        assertEquals(0, policy.allocate(capacity, 128));
        assertEquals(capacity, policy.usedBytes());
        assertEquals(0, policy.freeBytes());
        assertEquals(0, policy.largestFreeExtent());
        assertEquals(0, policy.freeExtentCount());
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(1, 1));
        assertConsistent(policy);
        assertEquals(capacity, policy.free(0));
        assertEquals(capacity, policy.largestFreeExtent());
        assertConsistent(policy);
    }

    @Test
    void shouldKeepARemainderSmallerThanTheMinimumBlockInsideTheAllocatedBlock()
    {
        final TlsfPolicy policy = tlsf(MIB);
        final long size = MIB - 96;
        assertEquals(0, policy.allocate(size, 128));
        assertEquals(MIB, policy.usedBytes(), "the 96-byte remainder is part of the block");
        assertEquals(0, policy.freeExtentCount());
        assertEquals(MIB, policy.free(0));
        assertConsistent(policy);

        assertEquals(128, policy.allocate(MIB - 128, 128), "carved from the top of the free block");
        assertEquals(MIB - 128, policy.usedBytes(), "a remainder of exactly the minimum block stays free");
        assertEquals(new PolicyChecks.Extent(0, 128, BlockState.FREE), extents(policy).get(0));
        assertConsistent(policy);
    }

    @Test
    void shouldGiveSmallRequestsTheMinimumBlock()
    {
        final TlsfPolicy policy = tlsf(MIB);
        assertEquals(128, policy.minimumSegment());
        assertEquals(MIB - 128, policy.allocate(64, 64));
        assertEquals(MIB - 256, policy.allocate(64, 64));
        assertEquals(256, policy.usedBytes());
        assertConsistent(policy);
    }

    @Test
    void shouldCarveFromTheTopOfAFreeBlockSoItKeepsItsList()
    {
        final TlsfPolicy policy = tlsf(GIB - 64 * MIB);
        final long frame = UNIFIED.segmentSize(3_110_400);
        final long offset = policy.allocate(frame, 128);
        assertEquals((GIB - 64 * MIB - frame) & -128, offset);
        assertEquals(List.of(
            new PolicyChecks.Extent(0, offset, BlockState.FREE),
            new PolicyChecks.Extent(offset, GIB - 64 * MIB - offset, BlockState.LIVE)), extents(policy));
        assertEquals(frame + 96, policy.usedBytes(), "the tail past the 128-aligned start stays in the block");
        assertEquals(frame + 96, policy.free(offset));
        assertEquals(List.of(new PolicyChecks.Extent(0, GIB - 64 * MIB, BlockState.FREE)), extents(policy));
        assertConsistent(policy);
    }

    @Test
    void shouldCoalesceEverythingBackToOneFreeBlock()
    {
        final TlsfPolicy policy = tlsf(256 * MIB);
        final Random random = new Random(99);
        final List<Long> offsets = new ArrayList<>();
        long offset;
        while ((offset = policy.allocate(UNIFIED.segmentSize(1 + random.nextInt(4 << 20)), random.nextBoolean() ? 64 : 128))
            != AllocationPolicy.NO_OFFSET)
        {
            offsets.add(offset);
        }
        assertTrue(offsets.size() > 100);
        Collections.shuffle(offsets, random);
        for (final long o : offsets)
        {
            policy.free(o);
        }
        final List<PolicyChecks.Extent> extents = extents(policy);
        assertEquals(List.of(new PolicyChecks.Extent(0, 256 * MIB, BlockState.FREE)), extents);
        assertEquals(1, policy.freeExtentCount());
        assertEquals(256 * MIB, policy.largestFreeExtent());
        assertConsistent(policy);
    }

    @Test
    void shouldReportTheLargestFreeExtentExactly()
    {
        final TlsfPolicy policy = tlsf(64 * MIB);
        final Random random = new Random(5);
        final List<Long> offsets = new ArrayList<>();
        for (int step = 0; step < 2000; step++)
        {
            if (offsets.isEmpty() || random.nextInt(10) < 6)
            {
                final long offset = policy.allocate(UNIFIED.segmentSize(1 + random.nextInt(2 << 20)), 128);
                if (offset != AllocationPolicy.NO_OFFSET)
                {
                    offsets.add(offset);
                }
            }
            else
            {
                policy.free(offsets.remove(random.nextInt(offsets.size())));
            }
            long largest = 0;
            for (final PolicyChecks.Extent e : extents(policy))
            {
                largest = e.state() == BlockState.FREE ? Math.max(largest, e.size()) : largest;
            }
            assertEquals(largest, policy.largestFreeExtent(), "step " + step);
            if (largest > 0)
            {
                final long offset = policy.allocate(largest, 1);
                assertNotEquals(AllocationPolicy.NO_OFFSET, offset, "largest=" + largest + " at step " + step);
                policy.free(offset);
            }
        }
        assertConsistent(policy);
    }

    @Test
    void shouldServeOffsetsAboveFourGibibytesInA64GibibytePool()
    {
        final long capacity = 64 * GIB;
        final TlsfPolicy policy = tlsf(capacity);
        final TreeMap<Long, Long> model = new TreeMap<>();
        final long frame = UNIFIED.segmentSize(12_441_600);
        long offset;
        while ((offset = policy.allocate(frame, 128)) != AllocationPolicy.NO_OFFSET)
        {
            model.put(offset, frame);
        }
        assertTrue(model.lastKey() > (1L << 32) * 15, "offsets reach the top of the pool: " + model.lastKey());
        assertTrue(policy.largestFreeExtent() < frame);
        assertMatches(policy, model);

        // Each frame is 96 bytes short of a multiple of 128: carved from the top at 128 alignment, it keeps
        // the 96 bytes of slack above it.
        final long high = model.floorKey(40 * GIB);
        final long used = policy.usedBytes();
        assertEquals(frame + 96, policy.free(high));
        assertEquals(used - frame - 96, policy.usedBytes());
        model.remove(high);
        final long again = policy.allocate(frame, 128);
        assertEquals(high, again, "the only hole that fits is reused, above 2^32");
        model.put(again, frame);
        assertMatches(policy, model);
        // The records, a 4 MiB index root (one reference per 64 KiB) and one 2 KiB index leaf per frame (each
        // alone in its 64 KiB region): about 0.02% of the pool.
        final long bound = 4L * (capacity >>> 16) + (model.size() + 64L) * 2068 + (1 << 20);
        assertTrue(policy.metadataBytes() < bound, "metadata " + policy.metadataBytes() + ", bound " + bound);
    }

    @Test
    void shouldReturnAnAlignmentGapOfAtLeastTheMinimumBlockToTheFreeLists()
    {
        final TlsfPolicy policy = tlsf(MIB);
        assertEquals(MIB - 1024, policy.allocate(1000, 64), "1000 bytes at 64 alignment end 24 bytes short");
        assertEquals(MIB - 4096, policy.allocate(1000, 4096), "the 2,072 bytes behind it stay free");
        final List<PolicyChecks.Extent> extents = extents(policy);
        assertEquals(List.of(
            new PolicyChecks.Extent(0, MIB - 4096, BlockState.FREE),
            new PolicyChecks.Extent(MIB - 4096, 1000, BlockState.LIVE),
            new PolicyChecks.Extent(MIB - 3096, 2072, BlockState.FREE),
            new PolicyChecks.Extent(MIB - 1024, 1024, BlockState.LIVE)), extents);
        assertEquals(2024, policy.usedBytes());
        assertConsistent(policy);
        policy.free(MIB - 4096);
        assertEquals(List.of(
            new PolicyChecks.Extent(0, MIB - 1024, BlockState.FREE),
            new PolicyChecks.Extent(MIB - 1024, 1024, BlockState.LIVE)), extents(policy));
    }

    @Test
    void shouldKeepAGapSmallerThanTheMinimumBlockAsAFreeBlockOfItsOwn()
    {
        final TlsfPolicy policy = tlsf(MIB);
        assertEquals(512, policy.allocate(MIB - 512, 1));
        final long b = policy.allocate(160, 1);
        assertEquals(352, b);
        assertEquals(192, policy.allocate(160, 1));
        assertEquals(0, policy.allocate(192, 1), "the last 192 bytes are taken whole");
        policy.free(b);

        // [352, 512) holds 128 bytes at 384 only: the 32-byte gap in front stays free, and no live block grows.
        final long used = policy.usedBytes();
        assertEquals(384, policy.allocate(100, 128));
        assertEquals(used + 128, policy.usedBytes());
        assertEquals(List.of(
            new PolicyChecks.Extent(0, 192, BlockState.LIVE),
            new PolicyChecks.Extent(192, 160, BlockState.LIVE),
            new PolicyChecks.Extent(352, 32, BlockState.FREE),
            new PolicyChecks.Extent(384, 128, BlockState.LIVE),
            new PolicyChecks.Extent(512, MIB - 512, BlockState.LIVE)), extents(policy));
        assertEquals(1, policy.freeExtentCount());
        assertConsistent(policy);
        assertEquals(160, policy.free(192), "the previous block keeps its size");
        assertEquals(new PolicyChecks.Extent(192, 192, BlockState.FREE), extents(policy).get(1), "the gap coalesced");
        assertEquals(128, policy.free(384));
        assertConsistent(policy);
    }

    @Test
    void shouldFindAnExactFitInTheRequestsOwnListByScanning()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().minimumBlockSize(64).create(64 * 1024, UNIFIED);
        assertEquals(65472, policy.allocate(64, 32));
        final long hole = policy.allocate(4256, 32);
        assertEquals(61216, hole);
        assertEquals(61152, policy.allocate(64, 32));
        assertEquals(0, policy.allocate(policy.largestFreeExtent(), 1));
        policy.free(hole);

        // 4,256 bytes at 61,216: no 4096-aligned 4,096 bytes inside; 4,256 is not a list's lower bound, so
        // only the scan of its own list finds the exact fit.
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(4096, 4096));
        assertEquals(4256, policy.largestFreeExtent());
        assertEquals(hole, policy.allocate(4256, 1));
        assertEquals(0, policy.freeExtentCount());
        assertConsistent(policy);
    }

    @Test
    void shouldFindAnAlignedFitInTheRequestsOwnListByScanning()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().minimumBlockSize(64).create(64 * 1024, UNIFIED);
        assertEquals(8196, policy.allocate(65536 - 8196, 4));
        final long hole = policy.allocate(4132, 4);
        assertEquals(4064, hole);
        assertEquals(0, policy.allocate(4064, 1));
        policy.free(hole);

        // The free block [4064, 8196) shares the list of 4,100 bytes; at 4096 alignment it holds them after
        // a 32-byte gap, which stays a free block.
        final long usedBefore = policy.usedBytes();
        assertEquals(4096, policy.allocate(4100, 4096));
        assertEquals(usedBefore + 4100, policy.usedBytes());
        assertEquals(new PolicyChecks.Extent(0, 4064, BlockState.LIVE), extents(policy).get(0));
        assertEquals(new PolicyChecks.Extent(4064, 32, BlockState.FREE), extents(policy).get(1));
        assertEquals(new PolicyChecks.Extent(4096, 4100, BlockState.LIVE), extents(policy).get(2));
        assertConsistent(policy);
    }

    @Test
    void shouldHonourAlignmentsUpToAMebibyte()
    {
        final TlsfPolicy policy = tlsf(64 * MIB);
        final TreeMap<Long, Long> model = new TreeMap<>();
        final Random random = new Random(17);
        for (int i = 0; i < 300; i++)
        {
            final long alignment = 1L << random.nextInt(21);
            final long size = 1 + random.nextInt(200_000);
            final long offset = policy.allocate(size, alignment);
            if (offset != AllocationPolicy.NO_OFFSET)
            {
                assertPlaced(policy, model, offset, size, alignment);
                model.put(offset, size);
            }
        }
        assertTrue(model.size() > 100);
        assertMatches(policy, model);
    }

    @Test
    void shouldRefuseAnAlignedRequestNoFreeBlockCanHoldAndStayUnchanged()
    {
        final TlsfPolicy policy = tlsf(MIB);
        assertEquals(8192, policy.allocate(MIB - 8192, 1));
        final long b = policy.allocate(1024, 1);
        assertEquals(7168, b);
        assertEquals(1024, policy.allocate(6144, 1));
        assertEquals(0, policy.allocate(1024, 1));
        policy.free(b);
        final List<PolicyChecks.Extent> before = extents(policy);
        final long metadata = policy.metadataBytes();

        assertEquals(1024, policy.largestFreeExtent());
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(1024, 4096), "[7168, 8192) has no 4096 boundary");
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(1025, 1));
        assertEquals(before, extents(policy));
        assertEquals(metadata, policy.metadataBytes());
        assertEquals(b, policy.allocate(1024, 1024));
        assertConsistent(policy);
    }

    @Test
    void shouldGrowItsArraysWhenBlocksExceedTheInitialCapacity()
    {
        final TlsfPolicy policy = TlsfPolicy.builder().initialBlocks(4).create(16 * MIB, UNIFIED);
        final long before = policy.metadataBytes();
        final TreeMap<Long, Long> model = new TreeMap<>();
        final List<Long> order = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            final long offset = policy.allocate(4096, 128);
            model.put(offset, 4096L);
            order.add(offset);
        }
        for (int i = 0; i < 1000; i += 2)
        {
            policy.free(order.get(i));
            model.remove(order.get(i));
        }
        assertTrue(policy.metadataBytes() > before);
        assertEquals(501, policy.freeExtentCount(), "500 holes and the rest of the pool");
        assertMatches(policy, model);
    }

    @Test
    void shouldExposeItsOverheadsAndMetrics()
    {
        final TlsfPolicy policy = tlsf(GIB);
        assertEquals(36, policy.metadataBytesPerBlock());
        assertEquals(GIB, policy.maximumSegment());
        assertEquals(128, policy.minimumSegment());
        assertEquals(32, policy.secondLevelCount());
        // Records: 31 * 32 list sentinels (fl 0..30), the boundary and 1024 blocks; the index root (one
        // reference per 64 KiB) and its spare stack; the bitmaps.
        final long records = (31 * 32 + 1 + 1024) * 32L;
        final long root = 16 + 4L * (GIB >>> 16) + 16 + 4 * 16;
        final long fixed = records + root + 65 * 8;
        assertEquals(fixed, policy.metadataBytes());
        policy.allocate(1000, 128);
        assertEquals(fixed + 16 + 4 * 513, policy.metadataBytes(), "one index leaf for the first live block");
        final Map<String, Long> metrics = new TreeMap<>();
        policy.metrics(metrics::put);
        assertEquals(2L, metrics.get("tlsf.blocks"));
        assertEquals(1L, metrics.get("tlsf.free.blocks"));
        assertEquals(policy.metadataBytes(), metrics.get("tlsf.metadata.bytes"));
    }

    @Test
    void shouldRaiseTheDefaultMinimumBlockToTheProfileStartAlignment()
    {
        final AlignmentProfile wide = AlignmentProfile.custom("wide", 4096, 32);
        assertEquals(4096, TlsfPolicy.builder().create(MIB, wide).minimumBlockSize());
        assertEquals(128, TlsfPolicy.builder().create(MIB, MemoryApi.RT_MALLOC.profile()).minimumBlockSize());
        assertEquals(256, TlsfPolicy.builder().minimumBlockSize(256).create(MIB, wide).minimumBlockSize());
    }

    @Test
    void shouldRejectBadConfigurationNamingTheArgument()
    {
        final TlsfPolicy.Builder builder = TlsfPolicy.builder();
        assertEquals("secondLevelCount must be a power of 2 in [4, 64]: secondLevelCount=48",
            assertThrows(IllegalArgumentException.class, () -> builder.secondLevelCount(48)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.secondLevelCount(2));
        assertThrows(IllegalArgumentException.class, () -> builder.secondLevelCount(128));
        assertEquals("minimumBlockSize must be a power of 2 in [16, 2^30]: minimumBlockSize=100",
            assertThrows(IllegalArgumentException.class, () -> builder.minimumBlockSize(100)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.minimumBlockSize(8));
        assertThrows(IllegalArgumentException.class, () -> builder.initialBlocks(0));
        assertEquals("capacity must be in [1, 2^62]: capacity=0",
            assertThrows(IllegalArgumentException.class, () -> builder.create(0, UNIFIED)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.create((1L << 62) + 1, UNIFIED));
        assertThrows(IllegalArgumentException.class, () -> builder.create(MIB, null));
    }

    @Test
    void shouldRejectBadRequestsNamingTheArgument()
    {
        final TlsfPolicy policy = tlsf(MIB);
        assertEquals("size must be positive: size=0",
            assertThrows(IllegalArgumentException.class, () -> policy.allocate(0, 128)).getMessage());
        assertEquals("alignment must be a power of 2: alignment=96",
            assertThrows(IllegalArgumentException.class, () -> policy.allocate(64, 96)).getMessage());
        assertEquals("not the offset of a live block: offset=0",
            assertThrows(IllegalArgumentException.class, () -> policy.free(0)).getMessage());
    }

    @Test
    void shouldWorkWithEverySecondLevelCount()
    {
        for (int count = 4; count <= 64; count <<= 1)
        {
            final TlsfPolicy policy = TlsfPolicy.builder().secondLevelCount(count).create(32 * MIB, UNIFIED);
            final TreeMap<Long, Long> model = new TreeMap<>();
            final Random random = new Random(count);
            final List<Long> live = new ArrayList<>();
            for (int step = 0; step < 400; step++)
            {
                if (live.isEmpty() || random.nextInt(10) < 6)
                {
                    final long size = UNIFIED.segmentSize(1 + random.nextInt(1 << 20));
                    final long offset = policy.allocate(size, 128);
                    if (offset != AllocationPolicy.NO_OFFSET)
                    {
                        assertPlaced(policy, model, offset, size, 128);
                        model.put(offset, size);
                        live.add(offset);
                    }
                }
                else
                {
                    final long offset = live.remove(random.nextInt(live.size()));
                    model.remove(offset);
                    policy.free(offset);
                }
                assertMatches(policy, model);
            }
        }
    }
}
