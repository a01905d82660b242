package io.carve.pool.policy.buddy;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.testing.MediaLengths;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fills a pool with random media buffers until the first refusal and measures what the buddy's rounding
 * costs. {@link #fillUntilFailure} and {@link Fill} are the measurement the benchmark reports; the test
 * asserts only what the buddy guarantees for a fill without frees, plus the floor for this media mix.
 */
class BuddyHeapEfficiencyTest
{
    private static final AlignmentProfile PROFILE = AlignmentProfile.UNIFIED;
    private static final long CAPACITY = 1L << 30;
    private static final int[][] CAMERA = {{640, 480}, {1280, 960}, {2592, 1944}, {4000, 3000}};

    /**
     * What a pool held at its first refusal.
     *
     * @param capacity       the policy's capacity.
     * @param blocks         live blocks.
     * @param requestedBytes the lengths callers asked for.
     * @param segmentBytes   the segment sizes the alignment table made of them (what the policy was asked for).
     * @param usedBytes      the policy's used bytes: block bytes, rounding included.
     * @param refusedSize    the segment size that was refused.
     */
    record Fill(long capacity, long blocks, long requestedBytes, long segmentBytes, long usedBytes, long refusedSize)
    {
        /**
         * Block bytes of live blocks over capacity: how much of the pool the policy handed out.
         *
         * @return a fraction in [0, 1].
         */
        double blockEfficiency()
        {
            return (double)usedBytes / capacity;
        }

        /**
         * Segment bytes of live blocks over capacity: how much of the pool served segments.
         *
         * @return a fraction in [0, 1].
         */
        double segmentEfficiency()
        {
            return (double)segmentBytes / capacity;
        }

        /**
         * Requested bytes over capacity: how much of the pool callers can use.
         *
         * @return a fraction in [0, 1].
         */
        double requestedEfficiency()
        {
            return (double)requestedBytes / capacity;
        }
    }

    /**
     * Allocates media buffers drawn from {@code seed} until the policy refuses one; frees nothing.
     *
     * @param policy a fresh policy.
     * @param seed   the seed of the media lengths; the same seed gives every policy the same sequence.
     * @return what the policy held at the refusal.
     */
    static Fill fillUntilFailure(final AllocationPolicy policy, final long seed)
    {
        final Random random = new Random(seed);
        long blocks = 0;
        long requested = 0;
        long segments = 0;
        while (true)
        {
            final long length = mediaLength(random);
            final long size = PROFILE.segmentSize(length);
            if (policy.allocate(size, PROFILE.startAlignment()) == AllocationPolicy.NO_OFFSET)
            {
                return new Fill(policy.capacity(), blocks, requested, segments, policy.usedBytes(), size);
            }
            blocks++;
            requested += length;
            segments += size;
        }
    }

    /**
     * A media buffer length (REFERENCE.md section 3): VDEC NV12 frames of 720p, 1080p and 4K, and JPEGD
     * YUV420SP outputs on 310P ({@code ALIGN_UP(w,64) * ALIGN_UP(h,16) * 3/2}) of camera resolutions or of a
     * random size in 32..4096.
     *
     * @param random the source.
     * @return bytes.
     */
    static long mediaLength(final Random random)
    {
        switch (random.nextInt(5))
        {
            case 0:
                return nv12(1280, 720);
            case 1:
                return nv12(1920, 1080);
            case 2:
                return nv12(3840, 2160);
            case 3:
                final int[] camera = CAMERA[random.nextInt(CAMERA.length)];
                return jpegd(camera[0], camera[1]);
            default:
                return jpegd(32 + random.nextInt(4065), 32 + random.nextInt(4065));
        }
    }

    private static long nv12(final int width, final int height)
    {
        return Align.alignUp(width, 16) * Align.alignUp(height, 2) * 3 / 2;
    }

    private static long jpegd(final int width, final int height)
    {
        return Align.alignUp(width, 64) * Align.alignUp(height, 16) * 3 / 2;
    }

    @Test
    void shouldKnowTheReferenceMediaSizes()
    {
        assertEquals(3_110_400, nv12(1920, 1080));
        assertEquals(12_441_600, nv12(3840, 2160));
        assertEquals(18_192_384, jpegd(4000, 3000));
    }

    @Test
    void shouldHoldWhatBuddyGuaranteesAtTheFirstRefusal()
    {
        for (long seed = 1; seed <= 8; seed++)
        {
            final BuddyPolicy buddy = BuddyPolicy.builder().create(CAPACITY, PROFILE);
            final Fill fill = fillUntilFailure(buddy, seed);
            PolicyChecks.assertConsistent(buddy);
            final String figures = "seed " + seed + ": " + fill;

            // Without frees at most one free block per order is left, all below the refused order.
            final long refusedBlock = Long.highestOneBit(fill.refusedSize() - 1) << 1;
            assertTrue(buddy.freeBytes() < refusedBlock, figures);
            for (int k = 0; k <= buddy.maxOrder(); k++)
            {
                assertTrue(buddy.freeBlockCount(k) <= (buddy.blockSize(k) < refusedBlock ? 1 : 0), figures);
            }
            // A block is less than twice its segment (segments are at least half a minimum block here).
            assertTrue(2 * fill.segmentBytes() >= fill.usedBytes(), figures);
            assertTrue(fill.requestedBytes() <= fill.segmentBytes(), figures);
            // Together: segment bytes > (capacity - refused block) / 2; this media mix stays above half.
            assertTrue(fill.segmentEfficiency() >= 0.5, figures);
            assertTrue(fill.blockEfficiency() > 1.0 - (double)refusedBlock / CAPACITY, figures);

            // First fit wastes no rounding, so on the same sequence it holds at least the buddy's segments.
            final Fill firstFit = fillUntilFailure(new FirstFitPolicy(CAPACITY), seed);
            assertTrue(firstFit.segmentBytes() >= fill.segmentBytes(), figures + " vs first fit " + firstFit);
            assertTrue(firstFit.blocks() >= fill.blocks(), figures + " vs first fit " + firstFit);
        }
    }
}
