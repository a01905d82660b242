package io.carve.pool.policy.slab;

import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.carve.pool.policy.slab.SlabTesting.MIB;
import static io.carve.pool.policy.slab.SlabTesting.NV12_1080P;
import static io.carve.pool.policy.slab.SlabTesting.NV12_4K;
import static io.carve.pool.policy.slab.SlabTesting.NV12_720P;
import static io.carve.pool.policy.slab.SlabTesting.metric;
import static io.carve.pool.policy.slab.SlabTesting.reservedBytes;
import static io.carve.pool.policy.slab.SlabTesting.segment;
import static io.carve.pool.testing.PolicyChecks.assertConsistent;
import static io.carve.pool.testing.PolicyChecks.extents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decoder stream that changes resolution: 1080p frames fill the pool, are all freed, the same memory
 * holds 4K frames, then JPEG outputs of random sizes. A small block (model weights) stays live throughout
 * so that spare slabs are kept; nothing beyond the configured spare may stay stranded in empty slabs.
 */
class SlabPolicyResolutionChangeTest
{
    private static final long CAPACITY = 512 * MIB;

    @ParameterizedTest(name = "backing {0}")
    @ValueSource(strings = {"first-fit", "tlsf"})
    void shouldMoveMemoryFrom1080pTo4kToJpegWithOneSpareSlab(final String backing)
    {
        reuseAcrossResolutions(1, backing);
    }

    @ParameterizedTest(name = "backing {0}")
    @ValueSource(strings = {"first-fit", "tlsf"})
    void shouldMoveMemoryFrom1080pTo4kToJpegWithNoSpareSlab(final String backing)
    {
        reuseAcrossResolutions(0, backing);
    }

    @ParameterizedTest(name = "backing {0}")
    @ValueSource(strings = {"first-fit", "tlsf"})
    void shouldMoveMemoryFrom1080pTo4kToJpegWithTwoSpareSlabs(final String backing)
    {
        reuseAcrossResolutions(2, backing);
    }

    /**
     * Byte counts are exact over first fit; TLSF may keep less than one alignment (128 bytes) of slack in
     * each block it carves, so over TLSF they are checked within that bound.
     */
    private static void assertBackingBytes(final String backing, final long expected, final long blocks, final long actual)
    {
        if ("first-fit".equals(backing))
        {
            assertEquals(expected, actual);
        }
        else
        {
            assertTrue(actual >= expected && actual < expected + blocks * 128,
                "expected " + expected + " plus under 128 bytes for each of " + blocks + " blocks, was " + actual);
        }
    }

    private static void reuseAcrossResolutions(final int spares, final String backing)
    {
        final PolicyFactory backingFactory = "tlsf".equals(backing) ? TlsfPolicy.builder() : FirstFitPolicy.factory();
        final SlabPolicy policy = SlabTesting.create(SlabPolicy.builder().sizeClasses(NV12_720P, NV12_1080P, NV12_4K)
            .spareSlabs(spares).backing(backingFactory), CAPACITY);
        final long fresh = policy.freeBytes();
        final long weights = policy.allocate(segment(3 * MIB), 128);

        final List<Long> hd = fill(policy, segment(NV12_1080P));
        assertTrue(hd.size() >= 160, "1080p frames held: " + hd.size());
        final long fallbacks = metric(policy, "slab.fallback.total");
        assertTrue(fallbacks <= 4, "only the last frames that no slab could hold fall back: " + fallbacks);
        assertEquals(hd.size(), metric(policy, "slab.class.1.objects") + fallbacks);
        assertBackingBytes(backing, segment(3 * MIB) + fallbacks * segment(NV12_1080P), 1 + fallbacks,
            metric(policy, "slab.backing.bytes"));
        freeAll(policy, hd);
        assertStrandedAtMost(policy, 1, spares, backing);

        final List<Long> uhd = fill(policy, segment(NV12_4K));
        assertTrue(uhd.size() >= 40, "4K frames held: " + uhd.size());
        assertEquals(0, metric(policy, "slab.class.1.slabs"), "the 1080p spares went back under pressure");
        freeAll(policy, uhd);
        assertStrandedAtMost(policy, 2, spares, backing);

        final Random random = new Random(99);
        final List<Long> jpegs = new ArrayList<>();
        long jpegBytes = 0;
        for (int failures = 0; failures < 20; )
        {
            final long width = 32 + random.nextInt(4000);
            final long height = 32 + random.nextInt(3000);
            final long m = segment(((width + 63) & -64) * ((height + 15) & -16) * 3 / 2);
            final long offset = policy.allocate(m, 128);
            if (offset == AllocationPolicy.NO_OFFSET)
            {
                failures++;
                assertEquals(0, metric(policy, "slab.spare.slabs"), "a request failed while spares held memory");
                assertTrue(m > policy.backing().largestFreeExtent() - 127,
                    "a JPEG failed with room in the backing: m=" + m + ", " + policy.backing().largestFreeExtent());
                continue;
            }
            jpegs.add(offset);
            jpegBytes += policy.classOf(m) >= 0 ? policy.objectSize(policy.classOf(m)) : m;
        }
        assertTrue(jpegs.size() > 50, "JPEGs reuse the frames' memory: " + jpegs.size());
        for (int c = 0; c < policy.classCount(); c++)
        {
            assertEquals(0, metric(policy, "slab.class." + c + ".slabs.empty"), "an empty slab of class " + c);
        }
        assertEquals(CAPACITY, policy.usedBytes() + policy.freeBytes() + reservedBytes(policy));
        assertBackingBytes(backing, segment(3 * MIB) + jpegBytes, 1 + jpegs.size(), policy.usedBytes());
        assertConsistent(policy);

        freeAll(policy, jpegs);
        policy.free(weights);
        assertEquals(fresh, policy.freeBytes());
        assertEquals(0, metric(policy, "slab.bytes"));
        assertEquals(1, extents(policy).size());
        assertConsistent(policy);
    }

    private static List<Long> fill(final SlabPolicy policy, final long m)
    {
        final List<Long> offsets = new ArrayList<>();
        long offset;
        while ((offset = policy.allocate(m, 128)) != AllocationPolicy.NO_OFFSET)
        {
            offsets.add(offset);
        }
        assertConsistent(policy);
        return offsets;
    }

    private static void freeAll(final SlabPolicy policy, final List<Long> offsets)
    {
        Collections.shuffle(offsets, new Random(offsets.size()));
        for (final long offset : offsets)
        {
            policy.free(offset);
        }
        offsets.clear();
        assertConsistent(policy);
    }

    private static void assertStrandedAtMost(
        final SlabPolicy policy, final int classIndex, final int spares, final String backing)
    {
        final long slabs = metric(policy, "slab.slabs");
        assertEquals(Math.min(spares, slabs), metric(policy, "slab.class." + classIndex + ".slabs.empty"));
        assertTrue(slabs <= spares, "empty slabs kept: " + slabs + ", spareSlabs=" + spares);
        assertEquals(0, metric(policy, "slab.live.objects"));
        final long slabSize = policy.slabSize(classIndex);
        final long padding = slabSize - policy.objectsPerSlab(classIndex) * policy.objectSize(classIndex);
        assertEquals(slabs * slabSize, metric(policy, "slab.bytes"));
        assertEquals(slabs * padding, reservedBytes(policy));
        // Only the weights block and the spares' padding are missing from the free bytes.
        assertBackingBytes(backing, segment(3 * MIB) + slabs * padding, 1, CAPACITY - policy.freeBytes());
    }
}
