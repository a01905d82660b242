package io.carve.pool.policy.slab;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.AllocationPolicyContract;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.MetricSink;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.testing.HeapProbe;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.carve.pool.policy.slab.SlabTesting.MIB;
import static io.carve.pool.policy.slab.SlabTesting.NV12_1080P;
import static io.carve.pool.policy.slab.SlabTesting.NV12_4K;
import static io.carve.pool.policy.slab.SlabTesting.NV12_720P;
import static io.carve.pool.policy.slab.SlabTesting.create;
import static io.carve.pool.policy.slab.SlabTesting.metric;
import static io.carve.pool.policy.slab.SlabTesting.metrics;
import static io.carve.pool.policy.slab.SlabTesting.segment;
import static io.carve.pool.testing.PolicyChecks.assertConsistent;
import static io.carve.pool.testing.PolicyChecks.extents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract with the NV12 frame classes (the contract's random sizes mostly miss them), and the slab
 * policy's own behaviour.
 */
class SlabPolicyTest extends AllocationPolicyContract
{
    private static final long O_720P = 1_382_528;
    private static final long O_1080P = 3_110_528;
    private static final long O_4K = 12_441_728;

    /** The contract runs over the default backing, TLSF. */
    @Override
    protected PolicyFactory factory()
    {
        return SlabPolicy.builder().sizeClasses(NV12_720P, NV12_1080P, NV12_4K);
    }

    /** The unit tests pin exact byte counts, so they name the backing whose placement is exact: first fit. */
    private static SlabPolicy.Builder frames()
    {
        return SlabPolicy.builder().sizeClasses(NV12_720P, NV12_1080P, NV12_4K).backing(FirstFitPolicy.factory());
    }

    @Test
    void shouldCarveSlabsFromTlsfByDefault()
    {
        assertEquals("tlsf", create(SlabPolicy.builder().sizeClass(NV12_1080P), 64 * MIB).backing().name());
    }

    @Test
    void shouldDeriveObjectAndSlabSizesOfTheNv12Classes()
    {
        final SlabPolicy policy = create(frames(), 256 * MIB);
        assertEquals(3, policy.classCount());
        assertEquals(O_720P, policy.objectSize(0));
        assertEquals(O_1080P, policy.objectSize(1));
        assertEquals(O_4K, policy.objectSize(2));
        assertEquals(8 * MIB, policy.slabSize(0));
        assertEquals(12 * MIB, policy.slabSize(1));
        assertEquals(48 * MIB, policy.slabSize(2));
        assertEquals(6, policy.objectsPerSlab(0));
        assertEquals(4, policy.objectsPerSlab(1));
        assertEquals(4, policy.objectsPerSlab(2));
    }

    @Test
    void shouldSortClassesAndMergeLengthsWithTheSameObjectSize()
    {
        final SlabPolicy policy = create(SlabPolicy.builder().sizeClasses(NV12_4K, NV12_1080P, NV12_1080P - 10).backing(FirstFitPolicy.factory()), 64 * MIB);
        assertEquals(2, policy.classCount());
        assertEquals(O_1080P, policy.objectSize(0));
        assertEquals(O_4K, policy.objectSize(1));
    }

    @Test
    void shouldRouteToTheSmallestClassThatTheRequestFillsEnough()
    {
        final SlabPolicy policy = create(frames(), 256 * MIB);
        assertEquals(1, policy.classOf(segment(NV12_1080P)));
        assertEquals(1, policy.classOf(O_1080P));
        assertEquals(1, policy.classOf(segment(1920 * 1072 * 3 / 2)));
        assertEquals(-1, policy.classOf(O_1080P + 1), "too small a fill of the 4K class");
        assertEquals(-1, policy.classOf((long)Math.ceil(O_1080P * SlabPolicy.DEFAULT_MIN_FILL) - 1));
        assertEquals(1, policy.classOf((long)Math.ceil(O_1080P * SlabPolicy.DEFAULT_MIN_FILL)));
        assertEquals(2, policy.classOf(segment(NV12_4K)));
        assertEquals(-1, policy.classOf(O_4K + 1));
        assertEquals(-1, policy.classOf(4096));
    }

    @Test
    void shouldServeClassRequestsFromSlabsAndOthersFromTheBacking()
    {
        final SlabPolicy policy = create(frames(), 256 * MIB);
        final long frame = policy.allocate(segment(NV12_1080P), 128);
        final long jpeg = policy.allocate(segment(5_000_000), 128);
        assertEquals(1, metric(policy, "slab.class.1.objects"));
        assertEquals(1, metric(policy, "slab.class.1.slabs"));
        assertEquals(12 * MIB, metric(policy, "slab.bytes"));
        assertEquals(3 * O_1080P, metric(policy, "slab.free.bytes"));
        assertEquals(segment(5_000_000), metric(policy, "slab.backing.bytes"));
        assertEquals(O_1080P + segment(5_000_000), policy.usedBytes());
        assertEquals(2, policy.liveBlocks());
        assertConsistent(policy);
        assertEquals(O_1080P, policy.free(frame));
        assertEquals(segment(5_000_000), policy.free(jpeg));
        assertConsistent(policy);
    }

    @Test
    void shouldLayOutAFourKSlabOverSeveralChunksWithItsPaddingReserved()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long first = policy.allocate(segment(NV12_4K), 128);
        final List<Long> frames = new ArrayList<>();
        frames.add(first);
        for (int i = 1; i < 4; i++)
        {
            frames.add(policy.allocate(segment(NV12_4K), 128));
        }
        assertEquals(0, first % SlabPolicy.SLAB_GRANULE);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(first + i * O_4K, frames.get(i));
        }
        final List<PolicyChecks.Extent> extents = extents(policy);
        assertTrue(extents.contains(new PolicyChecks.Extent(first + 4 * O_4K, 48 * MIB - 4 * O_4K, BlockState.RESERVED)),
            extents.toString());
        assertEquals(1, metric(policy, "slab.class.2.slabs.full"));
        assertConsistent(policy);
        for (int i = 3; i >= 0; i--)
        {
            assertEquals(O_4K, policy.free(frames.get(i)), "free of the object in chunk " + (frames.get(i) >>> 21));
            assertConsistent(policy);
        }
    }

    @Test
    void shouldMoveAFullSlabBackToPartialAndReuseTheFreedObject()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long[] frames = new long[5];
        for (int i = 0; i < 5; i++)
        {
            frames[i] = policy.allocate(segment(NV12_1080P), 128);
        }
        assertEquals(1, metric(policy, "slab.class.1.slabs.full"));
        assertEquals(1, metric(policy, "slab.class.1.slabs.partial"));
        policy.free(frames[4]);
        assertEquals(1, metric(policy, "slab.class.1.slabs.empty"));
        policy.free(frames[2]);
        assertEquals(0, metric(policy, "slab.class.1.slabs.full"));
        assertEquals(1, metric(policy, "slab.class.1.slabs.partial"));
        assertConsistent(policy);
        assertEquals(frames[2], policy.allocate(segment(NV12_1080P), 128), "the partial slab's hole is reused first");
        assertEquals(1, metric(policy, "slab.class.1.slabs.full"));
        assertConsistent(policy);
    }

    @Test
    void shouldReturnAnEmptySlabAtOnceWithNoSpares()
    {
        final SlabPolicy policy = create(frames().spareSlabs(0), 128 * MIB);
        final long keep = policy.allocate(segment(100_000), 128);
        final long frame = policy.allocate(segment(NV12_720P), 128);
        assertEquals(8 * MIB, metric(policy, "slab.bytes"));
        policy.free(frame);
        assertEquals(0, metric(policy, "slab.bytes"));
        assertEquals(0, metric(policy, "slab.slabs"));
        assertEquals(128 * MIB - segment(100_000), policy.freeBytes());
        assertConsistent(policy);
        policy.free(keep);
    }

    @Test
    void shouldKeepTwoSpareSlabsAndReturnTheThird()
    {
        final SlabPolicy policy = create(frames().spareSlabs(2), 128 * MIB);
        final long keep = policy.allocate(segment(100_000), 128);
        final long[] frames = new long[12];
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = policy.allocate(segment(NV12_1080P), 128);
        }
        assertEquals(3, metric(policy, "slab.class.1.slabs"));
        for (final long frame : frames)
        {
            policy.free(frame);
            assertConsistent(policy);
        }
        assertEquals(2, metric(policy, "slab.class.1.slabs.empty"));
        assertEquals(2, metric(policy, "slab.spare.slabs"));
        assertEquals(24 * MIB, metric(policy, "slab.bytes"));
        assertEquals(8 * O_1080P, metric(policy, "slab.free.bytes"));
        assertEquals(128 * MIB - segment(100_000) - 2 * (12 * MIB - 4 * O_1080P), policy.freeBytes());
        assertEquals(2, metric(policy, "slab.class.1.slabs"), "the third empty slab went back");
        assertEquals(segment(100_000) + 24 * MIB, policy.backing().usedBytes());
        policy.free(keep);
        assertEquals(0, metric(policy, "slab.slabs"), "the last free gives the spares back");
        assertEquals(128 * MIB, policy.freeBytes());
        assertConsistent(policy);
    }

    @Test
    void shouldTakeASpareSlabBeforeAskingTheBacking()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long keep = policy.allocate(segment(100_000), 128);
        final long frame = policy.allocate(segment(NV12_1080P), 128);
        policy.free(frame);
        assertEquals(1, metric(policy, "slab.spare.slabs"));
        final long usedInBacking = policy.backing().usedBytes();
        assertEquals(frame, policy.allocate(segment(NV12_1080P), 128));
        assertEquals(usedInBacking, policy.backing().usedBytes());
        assertEquals(0, metric(policy, "slab.spare.slabs"));
        assertConsistent(policy);
        policy.free(keep);
    }

    @Test
    void shouldGiveSparesBackWhenTheBackingRunsOutOfRoom()
    {
        final SlabPolicy policy = create(frames(), 64 * MIB);
        final long keep = policy.allocate(segment(100_000), 128);
        final long a = policy.allocate(segment(NV12_720P), 128);
        final long b = policy.allocate(segment(NV12_1080P), 128);
        policy.free(a);
        policy.free(b);
        assertEquals(2, metric(policy, "slab.spare.slabs"));
        final long big = policy.allocate(60 * MIB, 128);
        assertNotEquals(AllocationPolicy.NO_OFFSET, big, "spares must make room: " + metrics(policy));
        assertEquals(0, metric(policy, "slab.slabs"));
        assertConsistent(policy);
        policy.free(big);
        policy.free(keep);
        assertEquals(64 * MIB, policy.freeBytes());
    }

    @Test
    void shouldFallBackToTheBackingWhenNoSlabFits()
    {
        final SlabPolicy policy = create(frames(), 40 * MIB);
        final long frame = policy.allocate(segment(NV12_4K), 128);
        assertNotEquals(AllocationPolicy.NO_OFFSET, frame);
        assertEquals(1, metric(policy, "slab.fallback.total"));
        assertEquals(0, metric(policy, "slab.slabs"));
        assertEquals(segment(NV12_4K), policy.usedBytes());
        assertConsistent(policy);
        assertEquals(segment(NV12_4K), policy.free(frame));
    }

    @Test
    void shouldServeALargestFreeExtentThatIsASlabObject()
    {
        final SlabPolicy policy = create(frames(), 12 * MIB);
        final long frame = policy.allocate(segment(NV12_1080P), 128);
        assertEquals(0, policy.backing().freeBytes());
        assertEquals(O_1080P, policy.largestFreeExtent());
        assertEquals(3, policy.freeExtentCount());
        final long largest = policy.allocate(policy.largestFreeExtent(), 1);
        assertEquals(frame + O_1080P, largest);
        assertConsistent(policy);
        assertEquals(AllocationPolicy.NO_OFFSET, policy.allocate(segment(1000), 128));
    }

    @Test
    void shouldServeALargerAlignmentFromTheBacking()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long offset = policy.allocate(segment(NV12_1080P), 4096);
        assertEquals(0, offset % 4096);
        assertEquals(0, metric(policy, "slab.slabs"));
        assertEquals(segment(NV12_1080P), metric(policy, "slab.backing.bytes"));
        assertConsistent(policy);
    }

    @Test
    void shouldRejectFreeOfPaddingInteriorAndFreeObjectsAndStayUnchanged()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long keep = policy.allocate(segment(NV12_1080P), 128);
        final long freed = policy.allocate(segment(NV12_1080P), 128);
        policy.free(freed);
        final List<PolicyChecks.Extent> before = extents(policy);
        assertThrows(IllegalArgumentException.class, () -> policy.free(freed), "double free");
        assertThrows(IllegalArgumentException.class, () -> policy.free(keep + 128), "interior");
        assertThrows(IllegalArgumentException.class, () -> policy.free(keep + 2 * O_1080P), "free object");
        assertThrows(IllegalArgumentException.class, () -> policy.free(keep + 4 * O_1080P), "padding");
        assertThrows(IllegalArgumentException.class, () -> policy.free(keep + 12 * MIB), "backing space");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy.free(freed));
        assertEquals("not the offset of a live block: offset=" + freed, e.getMessage());
        assertEquals(before, extents(policy));
        assertConsistent(policy);
    }

    @Test
    void shouldPassTheBackingMetricsThroughWithAPrefix()
    {
        final PolicyFactory counting = new PolicyFactory()
        {
            @Override
            public String name()
            {
                return "counting";
            }

            @Override
            public AllocationPolicy create(final long capacity, final AlignmentProfile profile)
            {
                return new MetricFirstFit(capacity);
            }
        };
        final SlabPolicy policy = create(frames().backing(counting), 64 * MIB);
        final Map<String, Long> metrics = metrics(policy);
        assertEquals(42L, metrics.get("backing.first.fit.answer"));
        assertEquals(0L, metrics.get("slab.bytes"));
        assertEquals(0L, metrics.get("slab.class.2.slabs"));
        assertEquals(NV12_4K, metrics.get("slab.class.2.length"));
    }

    @Test
    void shouldReportCorruptedBitmapsListsAndChunkIndex()
    {
        final SlabPolicy policy = create(frames(), 128 * MIB);
        final long frame = policy.allocate(segment(NV12_1080P), 128);
        assertTrue(policy.verify().isEmpty());
        final SlabClass c = policy.classes[1];
        final int slot = c.partialHead;
        c.bits[slot * c.wordsPerSlab] ^= 1L;
        assertFalse(policy.verify().isEmpty(), "a bitmap that disagrees with the free count");
        c.bits[slot * c.wordsPerSlab] ^= 1L;
        c.list[slot] = SlabClass.FULL;
        assertFalse(policy.verify().isEmpty(), "a slab marked with another list");
        c.list[slot] = SlabClass.PARTIAL;
        final int chunk = (int)(frame >>> SlabPolicy.CHUNK_SHIFT) + 6;
        policy.chunks[chunk] = policy.chunks[chunk - 1];
        assertFalse(policy.verify().isEmpty(), "a chunk mapped past the slab");
        policy.chunks[chunk] = SlabPolicy.NO_SLAB;
        assertTrue(policy.verify().isEmpty(), policy.verify().toString());
    }

    @Test
    void shouldAllocateNothingOnTheHeapInSteadyState()
    {
        final SlabPolicy policy = create(frames(), 256 * MIB);
        final long keep = policy.allocate(segment(NV12_720P), 128);
        final long[] frames = new long[16];
        final long m = segment(NV12_1080P);
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = policy.allocate(m, 128);
        }
        HeapProbe.assertAllocationFree("20,000 rounds of frame churn", () -> cycle(policy, frames, m, 20_000));
        assertConsistent(policy);
        policy.free(keep);
    }

    /** Churns objects inside the slabs and empties one slab into the spare and back: no backing call. */
    private static void cycle(final SlabPolicy policy, final long[] frames, final long m, final int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            final int i = (r * 7) % frames.length;
            policy.free(frames[i]);
            frames[i] = policy.allocate(m, 128);
            for (int j = 12; j < 16; j++)
            {
                policy.free(frames[j]);
            }
            for (int j = 12; j < 16; j++)
            {
                frames[j] = policy.allocate(m, 128);
            }
        }
    }

    @Test
    void shouldFindAnObjectIndexByExactDivisionForEveryOffsetOfASlab()
    {
        final java.util.Random random = new java.util.Random(21);
        for (int round = 0; round < 200; round++)
        {
            final long objectSize = round < 100 ? 128 * (1 + random.nextInt(100_000)) : 1 + random.nextInt(1 << 24);
            final int objects = (int)Math.min(SlabPolicy.MAX_OBJECTS_PER_SLAB, Math.max(1, (64L << 20) / objectSize));
            final SlabClass c = new SlabClass(0, objectSize, objectSize, objectSize, objectSize, objects * objectSize, 1);
            for (int i = 0; i < 2_000; i++)
            {
                final long relative = random.nextBoolean() ? objectSize * random.nextInt(objects + 2)
                    : (long)(random.nextDouble() * (objects + 2) * objectSize);
                final long expected = relative % objectSize == 0 && relative / objectSize < objects ? relative / objectSize : -1;
                assertEquals(expected, c.objectAt(relative), "objectSize=" + objectSize + ", relative=" + relative);
            }
        }
    }

    @Test
    void shouldValidateTheBuilder()
    {
        assertMessage("len must be positive: len=0", () -> SlabPolicy.builder().sizeClass(0));
        assertMessage("slabSize must be a positive multiple of 2 MiB (2097152): slabSize=3000000",
            () -> SlabPolicy.builder().sizeClass(1000, 3_000_000));
        assertMessage("minFill must be in (0, 1]: minFill=0.0", () -> SlabPolicy.builder().minFill(0));
        assertMessage("minFill must be in (0, 1]: minFill=1.5", () -> SlabPolicy.builder().minFill(1.5));
        assertMessage("spareSlabs must not be negative: spareSlabs=-1", () -> SlabPolicy.builder().spareSlabs(-1));
        assertMessage("minObjectsPerSlab must be in [1, 4096]: minObjectsPerSlab=0",
            () -> SlabPolicy.builder().minObjectsPerSlab(0));
        assertMessage("backing must not be null: backing=null", () -> SlabPolicy.builder().backing(null));
        assertMessage("at least one size class is required: sizeClasses=0",
            () -> SlabPolicy.builder().create(64 * MIB, SlabTesting.PROFILE));
        assertMessage("slabSize must hold at least one object: slabSize=2097152, objectSize=" + O_1080P + ", len="
            + NV12_1080P, () -> SlabPolicy.builder().sizeClass(NV12_1080P, 2 * MIB).create(64 * MIB, SlabTesting.PROFILE));
        assertMessage("objects too small for the slab: at most 4096 per slab, objectSize=256, slabSize=2097152, len=100",
            () -> SlabPolicy.builder().sizeClass(100).create(64 * MIB, SlabTesting.PROFILE));
        assertEquals("slab", SlabPolicy.builder().name());
    }

    @Test
    void shouldHonourAnExplicitSlabSizeAndMinObjects()
    {
        final SlabPolicy explicit = create(SlabPolicy.builder().sizeClass(NV12_1080P, 4 * MIB).backing(FirstFitPolicy.factory()), 64 * MIB);
        assertEquals(4 * MIB, explicit.slabSize(0));
        assertEquals(1, explicit.objectsPerSlab(0));
        final SlabPolicy many = create(SlabPolicy.builder().sizeClass(NV12_1080P).minObjectsPerSlab(16).backing(FirstFitPolicy.factory()), 256 * MIB);
        assertTrue(many.objectsPerSlab(0) >= 16);
        assertEquals(0, many.slabSize(0) % SlabPolicy.SLAB_GRANULE);
        final long a = explicit.allocate(segment(NV12_1080P), 128);
        assertEquals(1, metric(explicit, "slab.class.0.slabs.full"));
        explicit.free(a);
        assertConsistent(explicit);
    }

    private static void assertMessage(final String message, final org.junit.jupiter.api.function.Executable call)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    /** FirstFit with one figure of its own, to see the pass-through. */
    private static final class MetricFirstFit implements AllocationPolicy
    {
        private final FirstFitPolicy delegate;

        MetricFirstFit(final long capacity)
        {
            delegate = new FirstFitPolicy(capacity);
        }

        @Override
        public String name()
        {
            return "counting";
        }

        @Override
        public long capacity()
        {
            return delegate.capacity();
        }

        @Override
        public long allocate(final long size, final long alignment)
        {
            return delegate.allocate(size, alignment);
        }

        @Override
        public long free(final long offset)
        {
            return delegate.free(offset);
        }

        @Override
        public long usedBytes()
        {
            return delegate.usedBytes();
        }

        @Override
        public long freeBytes()
        {
            return delegate.freeBytes();
        }

        @Override
        public long largestFreeExtent()
        {
            return delegate.largestFreeExtent();
        }

        @Override
        public long freeExtentCount()
        {
            return delegate.freeExtentCount();
        }

        @Override
        public long liveBlocks()
        {
            return delegate.liveBlocks();
        }

        @Override
        public void walk(final io.carve.pool.policy.BlockVisitor visitor)
        {
            delegate.walk(visitor);
        }

        @Override
        public List<String> verify()
        {
            return delegate.verify();
        }

        @Override
        public void metrics(final MetricSink sink)
        {
            sink.metric("first.fit.answer", 42);
        }

        @Override
        public long metadataBytes()
        {
            return delegate.metadataBytes();
        }
    }
}
