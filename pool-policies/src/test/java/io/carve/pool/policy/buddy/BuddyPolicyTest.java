package io.carve.pool.policy.buddy;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.AllocationPolicyContract;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.testing.HeapProbe;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.carve.pool.testing.PolicyChecks.assertConsistent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BuddyPolicyTest extends AllocationPolicyContract
{
    private static final long MIB = 1L << 20;

    @Override
    protected PolicyFactory factory()
    {
        return BuddyPolicy.builder();
    }

    private static BuddyPolicy buddy(final long capacity)
    {
        return BuddyPolicy.builder().create(capacity, AlignmentProfile.UNIFIED);
    }

    @Test
    void shouldDefaultToA128ByteMinimumBlock()
    {
        final BuddyPolicy policy = buddy(64 * MIB);
        assertEquals(128, policy.minimumBlockSize());
        assertEquals(19, policy.maxOrder());
        assertEquals(0, policy.unusableBytes());
        assertEquals(64 * MIB, policy.largestFreeExtent());
        assertEquals(1, policy.freeBlockCount(19));
        assertEquals("buddy", policy.name());
    }

    @Test
    void shouldRejectAMinimumBlockBelowTheProfileStartAlignment()
    {
        final BuddyPolicy.Builder builder = BuddyPolicy.builder().minimumBlockSize(64);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> builder.create(64 * MIB, AlignmentProfile.UNIFIED));
        assertEquals("minimumBlockSize must be at least the profile's start alignment: minimumBlockSize=64, "
            + "startAlignment=128, profile=UNIFIED", e.getMessage());
        assertEquals(64, builder.create(64 * MIB, AlignmentProfile.of(MemoryApi.RT_MALLOC)).minimumBlockSize());
    }

    @Test
    void shouldRejectAMinimumBlockThatIsNotAPowerOfTwo()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BuddyPolicy.builder().minimumBlockSize(192));
        assertEquals("minimumBlockSize must be a power of 2: minimumBlockSize=192", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BuddyPolicy.builder().minimumBlockSize(0));
    }

    @Test
    void shouldRejectACapacityBelowOneMinimumBlock()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> buddy(100));
        assertEquals("capacity must hold at least one minimum block: capacity=100, minimumBlockSize=128", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> buddy(0));
    }

    @Test
    void shouldRejectNonPositiveSizeAndNonPowerOfTwoAlignment()
    {
        final BuddyPolicy policy = buddy(MIB);
        assertEquals("size must be positive: size=0",
            assertThrows(IllegalArgumentException.class, () -> policy.allocate(0, 128)).getMessage());
        assertEquals("alignment must be a power of 2: alignment=96",
            assertThrows(IllegalArgumentException.class, () -> policy.allocate(128, 96)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy.freeBlockCount(policy.maxOrder() + 1));
        assertConsistent(policy);
    }

    @Test
    void shouldAllocateTheWholePowerOfTwoCapacityAsTheLargestBlock()
    {
        final BuddyPolicy policy = buddy(64 * MIB);
        assertEquals(0, policy.allocate(64 * MIB, 128));
        assertEquals(64 * MIB, policy.usedBytes());
        assertEquals(0, policy.freeBytes());
        assertEquals(0, policy.largestFreeExtent());
        assertEquals(1, policy.liveBlockCount(policy.maxOrder()));
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(1, 1));
        assertConsistent(policy);
        assertEquals(64 * MIB, policy.free(0));
        assertEquals(1, policy.freeBlockCount(policy.maxOrder()));
        assertConsistent(policy);
    }

    @Test
    void shouldCoverACapacityJustAboveAPowerOfTwoWithMaximalBlocks()
    {
        final BuddyPolicy policy = buddy((64 * MIB) + 4096);
        assertEquals(0, policy.unusableBytes());
        assertEquals((64 * MIB) + 4096, policy.freeBytes());
        assertEquals(64 * MIB, policy.largestFreeExtent());
        assertEquals(List.of(
            new PolicyChecks.Extent(0, 64 * MIB, BlockState.FREE),
            new PolicyChecks.Extent(64 * MIB, 4096, BlockState.FREE)), PolicyChecks.extents(policy));

        assertEquals(64 * MIB, policy.allocate(4096, 128), "the smallest fitting order is the 4 KiB root");
        assertEquals(0, policy.allocate(4096, 128));
        assertEquals(8192, policy.usedBytes());
        policy.free(64 * MIB);
        policy.free(0);
        assertEquals(2, policy.freeExtentCount(), "roots have no buddy and never merge with each other");
        assertConsistent(policy);
    }

    @Test
    void shouldReportAnUnusableTailAsReserved()
    {
        final BuddyPolicy policy = buddy((64 * MIB) + 100);
        assertEquals(100, policy.unusableBytes());
        assertEquals(64 * MIB, policy.freeBytes());
        final List<PolicyChecks.Extent> extents = PolicyChecks.extents(policy);
        assertEquals(new PolicyChecks.Extent(64 * MIB, 100, BlockState.RESERVED), extents.get(extents.size() - 1));
        assertEquals(100L, metrics(policy).get("buddy.unusable.bytes"));
        assertThrows(IllegalArgumentException.class, () -> policy.free(64 * MIB), "the tail is never a block");
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate((64 * MIB) + 1, 1));
        assertConsistent(policy);
    }

    @Test
    void shouldCoverAnOddNumberOfSlotsWithOneRootPerSetBit()
    {
        final BuddyPolicy policy = buddy(11 * 128 + 50);
        assertEquals(List.of(
            new PolicyChecks.Extent(0, 1024, BlockState.FREE),
            new PolicyChecks.Extent(1024, 256, BlockState.FREE),
            new PolicyChecks.Extent(1280, 128, BlockState.FREE),
            new PolicyChecks.Extent(1408, 50, BlockState.RESERVED)), PolicyChecks.extents(policy));
        final TreeMap<Long, Long> model = new TreeMap<>();
        long offset;
        while ((offset = policy.allocate(128, 128)) != AllocationPolicy.NO_OFFSET)
        {
            model.put(offset, 128L);
            PolicyChecks.assertMatches(policy, model);
        }
        assertEquals(11, model.size());
        for (final long live : model.keySet())
        {
            policy.free(live);
        }
        assertEquals(3, policy.freeExtentCount());
        assertConsistent(policy);
    }

    @Test
    void shouldRoundAFullHdFrameUpToAFourMebibyteBlock()
    {
        final BuddyPolicy policy = buddy(64 * MIB);
        final long segment = AlignmentProfile.UNIFIED.segmentSize(1920 * 1080 * 3 / 2);
        assertEquals(3_110_432, segment);
        final long offset = policy.allocate(segment, 128);
        assertEquals(4 * MIB, policy.usedBytes());
        assertEquals(1, policy.liveBlockCount(15));
        assertEquals(4 * MIB, policy.free(offset));
    }

    @Test
    void shouldTakeOneMinimumBlockForTheSmallestSegment()
    {
        final BuddyPolicy policy = buddy(MIB);
        policy.allocate(AlignmentProfile.UNIFIED.segmentSize(1), 128);
        assertEquals(128, policy.usedBytes());
        policy.allocate(129, 128);
        assertEquals(128 + 256, policy.usedBytes());
        assertConsistent(policy);
    }

    @Test
    void shouldSplitDownTheLowestBlockAndLeaveOneFreeBlockPerOrder()
    {
        final BuddyPolicy policy = buddy(MIB);
        assertEquals(0, policy.allocate(128, 128));
        final Map<String, Long> metrics = metrics(policy);
        for (int k = 0; k < policy.maxOrder(); k++)
        {
            assertEquals(1L, metrics.get("buddy.free.order." + k), "order " + k);
            assertEquals(128L << k, policy.blockSize(k));
        }
        assertEquals(0L, metrics.get("buddy.free.order." + policy.maxOrder()));
        assertEquals(1L, metrics.get("buddy.live.order.0"));
        assertEquals(128L, metrics.get("buddy.minimum.block.size"));
        assertEquals(128, policy.allocate(128, 128), "the buddy of the first block is the lowest free block");
    }

    @Test
    void shouldMergeBuddiesBackToTheTopAfterAlternatingSizes()
    {
        final BuddyPolicy policy = buddy(32 * MIB);
        final long[] sizes = {128, 3 * MIB, 200, 64 * 1024, 1000, MIB + 1, 4096, 129};
        final List<Long> offsets = new ArrayList<>();
        for (int round = 0; round < 3; round++)
        {
            for (final long size : sizes)
            {
                final long offset = policy.allocate(size, 128);
                assertTrue(offset != AllocationPolicy.NO_OFFSET, "size " + size);
                offsets.add(offset);
            }
            assertConsistent(policy);
        }
        for (int i = 0; i < offsets.size(); i += 2)
        {
            policy.free(offsets.get(i));
            assertConsistent(policy);
        }
        for (int i = offsets.size() - 1; i >= 1; i -= 2)
        {
            policy.free(offsets.get(i));
            assertConsistent(policy);
        }
        assertEquals(1, policy.freeExtentCount());
        assertEquals(1, policy.freeBlockCount(policy.maxOrder()));
        assertEquals(32 * MIB, policy.largestFreeExtent());
    }

    @Test
    void shouldHonourAnAlignmentLargerThanTheBlock()
    {
        final BuddyPolicy policy = buddy(16 * MIB);
        assertEquals(0, policy.allocate(128, 128));
        final long offset = policy.allocate(128, MIB);
        assertEquals(MIB, offset);
        assertEquals(256, policy.usedBytes(), "split down to the size's order, keeping the aligned lowest piece");
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(128, 32 * MIB));
        assertConsistent(policy);
    }

    @Test
    void shouldRejectFreeOfAnInteriorOrFreeOffsetAtEveryOrder()
    {
        final BuddyPolicy policy = buddy(MIB);
        final long big = policy.allocate(64 * 1024, 128);
        final long small = policy.allocate(128, 128);
        assertThrows(IllegalArgumentException.class, () -> policy.free(big + 32 * 1024));
        assertThrows(IllegalArgumentException.class, () -> policy.free(big + 64));
        assertThrows(IllegalArgumentException.class, () -> policy.free(small + 128), "the free buddy of a live block");
        assertThrows(IllegalArgumentException.class, () -> policy.free(512 * 1024), "inside a free root half");
        assertEquals(64 * 1024, policy.free(big));
        assertThrows(IllegalArgumentException.class, () -> policy.free(big));
        assertConsistent(policy);
    }

    @Test
    void shouldKeepMetadataNearFourBitsPerMinimumBlock()
    {
        final BuddyPolicy policy = buddy(1L << 30);
        final long slots = (1L << 30) / 128;
        final long metadata = policy.metadataBytes();
        assertTrue(metadata >= slots * 4 / 8, "metadata=" + metadata);
        assertTrue(metadata <= slots * 4 / 8 + slots / 64 + 4096, "metadata=" + metadata);
        final long coarse = BuddyPolicy.builder().minimumBlockSize(4096).create(1L << 30, AlignmentProfile.UNIFIED)
            .metadataBytes();
        assertTrue(coarse * 16 < metadata, "a larger minimum block shrinks the metadata: " + coarse);
    }

    @Test
    void shouldRejectAFreeOfAMinimumBlockWhoseLiveBitIsLostAndReportIt()
    {
        final BuddyPolicy policy = buddy(MIB);
        final long offset = policy.allocate(100, 128);
        assertEquals(128, policy.blockSize(offset));
        policy.live[0][(int)(offset / 128 >>> 6)] &= ~(1L << (offset / 128));
        assertTrue(policy.verify().stream().anyMatch(p -> p.startsWith("order 0: 1 live leaves reached but live bitmap holds 0")),
            policy.verify()::toString);
        assertThrows(IllegalArgumentException.class, () -> policy.free(offset));
    }

    @Test
    void shouldFindACorruptedBitmapInVerify()
    {
        final BuddyPolicy policy = buddy(MIB);
        final long offset = policy.allocate(4096, 128);
        assertTrue(policy.verify().isEmpty());

        policy.free[5].set((offset >>> 7) >>> 5);
        final List<String> bothFreeAndLive = policy.verify();
        assertFalse(bothFreeAndLive.isEmpty());
        policy.free[5].clear((offset >>> 7) >>> 5);
        assertTrue(policy.verify().isEmpty());

        policy.free(offset);
        policy.free[0].set(3);
        final List<String> strayBit = policy.verify();
        assertTrue(strayBit.stream().anyMatch(p -> p.contains("order 0")), strayBit::toString);
        policy.free[0].clear(3);

        policy.nonEmptyOrders |= 1;
        assertFalse(policy.verify().isEmpty());
        policy.nonEmptyOrders &= ~1L;
        assertTrue(policy.verify().isEmpty());
    }

    @Test
    void shouldFindUnmergedBuddiesInVerify()
    {
        final BuddyPolicy policy = buddy(MIB);
        final int top = policy.maxOrder();
        policy.free[top].clear(0);
        policy.freeCount[top] = 0;
        policy.nonEmptyOrders = 1L << (top - 1);
        policy.free[top - 1].set(0);
        policy.free[top - 1].set(1);
        policy.freeCount[top - 1] = 2;
        final List<String> problems = policy.verify();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("free buddies left unmerged")), problems::toString);
    }

    @Test
    void shouldAllocateNothingOnTheHeapInAllocateAndFree()
    {
        final BuddyPolicy policy = buddy(256 * MIB);
        final long[] offsets = new long[1024];
        final long[] sizes = new long[offsets.length];
        final Random random = new Random(5);
        for (int i = 0; i < sizes.length; i++)
        {
            sizes[i] = AlignmentProfile.UNIFIED.segmentSize(1 + random.nextInt(128 * 1024));
        }
        HeapProbe.assertAllocationFree(2 * 20 * offsets.length + " allocate/free calls", () -> churn(policy, offsets, sizes));
        assertConsistent(policy);
    }

    private static void churn(final BuddyPolicy policy, final long[] offsets, final long[] sizes)
    {
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < offsets.length; i++)
            {
                offsets[i] = policy.allocate(sizes[i], 128);
            }
            for (int i = round & 1; i < offsets.length; i += 2)
            {
                policy.free(offsets[i]);
            }
            for (int i = 1 - (round & 1); i < offsets.length; i += 2)
            {
                policy.free(offsets[i]);
            }
        }
    }

    private static Map<String, Long> metrics(final AllocationPolicy policy)
    {
        final Map<String, Long> metrics = new TreeMap<>();
        policy.metrics(metrics::put);
        return metrics;
    }
}
