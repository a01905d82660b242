package io.carve.pool.policy;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.policy.buddy.BuddyPolicy;
import io.carve.pool.policy.slab.SlabPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import io.carve.pool.testing.DifferentialRun;
import io.carve.pool.testing.MediaLengths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every policy and every slab backing, serving the 64-byte runtime profile and the 128-byte unified profile
 * in one pool: seeded runs against the first-fit reference ({@link DifferentialRun}) with {@code verify()}
 * and the full model check after every step, through exhaustion and back.
 */
class MixedProfilesDifferentialTest
{
    private static final long MIB = 1L << 20;
    private static final AlignmentProfile RUNTIME = MemoryApi.RT_MALLOC.profile();
    private static final AlignmentProfile UNIFIED = AlignmentProfile.UNIFIED;

    static Stream<Arguments> policies()
    {
        return Stream.of(
            Arguments.of("first-fit", FirstFitPolicy.factory()),
            Arguments.of("tlsf", TlsfPolicy.builder()),
            Arguments.of("buddy", BuddyPolicy.builder()),
            Arguments.of("slab over tlsf", slab(TlsfPolicy.builder())),
            Arguments.of("slab over first fit", slab(FirstFitPolicy.factory())),
            Arguments.of("slab over buddy", slab(BuddyPolicy.builder())));
    }

    /** Two frame classes (one of them in 2 MiB slabs that hold one frame each) and a small-buffer class. */
    private static PolicyFactory slab(final PolicyFactory backing)
    {
        return SlabPolicy.builder()
            .sizeClass(MediaLengths.NV12_720P, 2 * MIB)
            .sizeClass(MediaLengths.nv12(640, 480))
            .sizeClass(65_536)
            .backing(backing);
    }

    /**
     * A third class lengths (some a little short of one), a third small buffers, a third up to 3 MiB. Both
     * profiles size a segment alike ({@code ALIGN_UP(len,32)+32}); they differ in start alignment, which the
     * run draws from 64 and 128 for every request.
     */
    private static long segmentSize(final Random random)
    {
        final long len;
        final int pick = random.nextInt(3);
        if (pick == 0)
        {
            final long[] classes = {MediaLengths.NV12_720P, MediaLengths.nv12(640, 480), 65_536};
            final long length = classes[random.nextInt(classes.length)];
            len = random.nextBoolean() ? length : length - random.nextInt((int)(length / 20));
        }
        else if (pick == 1)
        {
            len = 1 + random.nextInt(8192);
        }
        else
        {
            len = 1 + random.nextInt((int)(3 * MIB));
        }
        assert RUNTIME.segmentSize(len) == UNIFIED.segmentSize(len);
        return UNIFIED.segmentSize(len);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void shouldStayConsistentAfterEveryStepWithBothProfilesInOnePool(final String name, final PolicyFactory factory)
    {
        for (final long seed : new long[] {64, 128})
        {
            final DifferentialRun.Outcome outcome = DifferentialRun.of(factory)
                .capacity(24 * MIB)
                .seed(seed)
                .steps(2_500)
                .checkEvery(1)
                .alignments(RUNTIME.startAlignment(), UNIFIED.startAlignment())
                .sizes(MixedProfilesDifferentialTest::segmentSize)
                .run();
            assertTrue(outcome.subjectRefusals() > 0, () -> name + " never reached exhaustion: " + outcome);
            assertTrue(outcome.bothPlaced() > 500, () -> name + " placed too little: " + outcome);
        }
    }
}
