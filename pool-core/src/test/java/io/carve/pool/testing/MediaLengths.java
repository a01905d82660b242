package io.carve.pool.testing;

import io.carve.pool.align.Align;

import java.util.Random;

/**
 * Buffer lengths of the media producers (REFERENCE.md section 3) for realistic workloads in tests: caller
 * lengths, before the alignment table turns them into segment sizes.
 */
public final class MediaLengths
{
    /** 1280x720 NV12 from VDEC. */
    public static final long NV12_720P = nv12(1280, 720);
    /** 1920x1080 NV12 from VDEC: 3,110,400 bytes. */
    public static final long NV12_1080P = nv12(1920, 1080);
    /** 3840x2160 NV12 from VDEC: 12,441,600 bytes. */
    public static final long NV12_4K = nv12(3840, 2160);
    /** A 4000x3000 JPEG decoded to YUV420SP on 310P: 18,192,384 bytes. */
    public static final long JPEG_12MP = jpegd(4000, 3000);

    private MediaLengths()
    {
    }

    /**
     * VDEC output NV12 (310, 910, 310P): stride ALIGN_UP(w,16) (min 32), height ALIGN_UP(h,2), 3/2 bytes a pixel.
     *
     * @param width  pixels.
     * @param height pixels.
     * @return bytes.
     */
    public static long nv12(final int width, final int height)
    {
        return Math.max(32, Align.alignUp(width, 16)) * Align.alignUp(height, 2) * 3 / 2;
    }

    /**
     * JPEGD output YUV420SP (310P, A2): stride ALIGN_UP(w,64), height ALIGN_UP(h,16), 3/2 bytes a pixel.
     *
     * @param width  pixels.
     * @param height pixels.
     * @return bytes.
     */
    public static long jpegd(final int width, final int height)
    {
        return Align.alignUp(width, 64) * Align.alignUp(height, 16) * 3 / 2;
    }

    /**
     * A media buffer length: mostly video frames of 720p, 1080p and 4K, and JPEG outputs of random
     * resolution between 32x32 and 4096x4096 or 12 megapixels.
     *
     * @param random the source.
     * @return bytes.
     */
    public static long randomMediaLength(final Random random)
    {
        final int pick = random.nextInt(100);
        if (pick < 30)
        {
            return NV12_1080P;
        }
        if (pick < 45)
        {
            return NV12_720P;
        }
        if (pick < 55)
        {
            return NV12_4K;
        }
        if (pick < 65)
        {
            return JPEG_12MP;
        }
        return jpegd(32 + random.nextInt(4065), 32 + random.nextInt(4065));
    }
}
