package io.carve.pool.bench.workload;

import io.carve.pool.align.Align;

/**
 * Buffer sizes of the media producers, from the stride rules of REFERENCE.md section 3.
 * <pre>
 *   VDEC NV12 (310/910/310P): ALIGN_UP(w,16) (min 32) x ALIGN_UP(h,2) x 3/2
 *   JPEGD YUV420SP (310P/A2): ALIGN_UP(w,64) x ALIGN_UP(h,16) x 3/2
 *   VPC model input RGB888:   w x h x 3;  YUV420SP: ALIGN_UP(w,16) x ALIGN_UP(h,2) x 3/2
 * </pre>
 */
public final class MediaSizes
{
    /** A 1920x1080 NV12 frame from VDEC: 3,110,400 bytes. */
    public static final long FRAME_1080P = vdecNv12(1920, 1080);
    /** A 1280x720 NV12 frame from VDEC: 1,382,400 bytes. */
    public static final long FRAME_720P = vdecNv12(1280, 720);
    /** A 3840x2160 NV12 frame from VDEC: 12,441,600 bytes. */
    public static final long FRAME_4K = vdecNv12(3840, 2160);
    /** A 640x640 RGB888 model input: 1,228,800 bytes. */
    public static final long VPC_640_RGB = vpcRgb(640, 640);
    /** A 416x416 YUV420SP model input: 259,584 bytes. */
    public static final long VPC_416_YUV = vpcYuv(416, 416);

    private MediaSizes()
    {
    }

    /**
     * VDEC NV12 output.
     *
     * @param width  pixels, {@code > 0}.
     * @param height pixels, {@code > 0}.
     * @return {@code max(ALIGN_UP(w,16),32) * ALIGN_UP(h,2) * 3 / 2}.
     */
    public static long vdecNv12(final int width, final int height)
    {
        checkDimensions(width, height);
        final long ws = Math.max(Align.alignUp(width, 16), 32);
        final long hs = Align.alignUp(height, 2);
        return ws * hs * 3 / 2;
    }

    /**
     * JPEGD YUV420SP output on 310P and A2.
     *
     * @param width  pixels, {@code > 0}.
     * @param height pixels, {@code > 0}.
     * @return {@code ALIGN_UP(w,64) * ALIGN_UP(h,16) * 3 / 2}.
     */
    public static long jpegd(final int width, final int height)
    {
        checkDimensions(width, height);
        return Align.alignUp(width, 64) * Align.alignUp(height, 16) * 3 / 2;
    }

    /**
     * VPC output as an RGB888 model input.
     *
     * @param width  pixels, {@code > 0}.
     * @param height pixels, {@code > 0}.
     * @return {@code w * h * 3}.
     */
    public static long vpcRgb(final int width, final int height)
    {
        checkDimensions(width, height);
        return (long)width * height * 3;
    }

    /**
     * VPC output as a YUV420SP model input.
     *
     * @param width  pixels, {@code > 0}.
     * @param height pixels, {@code > 0}.
     * @return {@code ALIGN_UP(w,16) * ALIGN_UP(h,2) * 3 / 2}.
     */
    public static long vpcYuv(final int width, final int height)
    {
        checkDimensions(width, height);
        return Align.alignUp(width, 16) * Align.alignUp(height, 2) * 3 / 2;
    }

    private static void checkDimensions(final int width, final int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new IllegalArgumentException(
                "dimensions must be positive: width=" + width + ", height=" + height);
        }
    }
}
