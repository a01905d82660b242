package io.carve.pool.align;

/**
 * Overflow-checked power-of-two arithmetic shared by the table, the pool and the policies.
 * <p>
 * {@code ALIGN_UP(len, k) = ((len - 1) / k + 1) * k} in the vendor documents; for a power-of-two {@code k}
 * and {@code len >= 1} that equals {@code (len + k - 1) & -k}, which is what {@link #alignUp(long, long)}
 * computes, refusing any value whose result would not fit in a {@code long}.
 */
public final class Align
{
    private Align()
    {
    }

    /**
     * Whether {@code value} is a positive power of two.
     *
     * @param value the value to test.
     * @return {@code true} for 1, 2, 4, ... 2^62.
     */
    public static boolean isPowerOfTwo(final long value)
    {
        return value > 0 && (value & (value - 1)) == 0;
    }

    /**
     * Checks that {@code alignment} is a positive power of two and returns it.
     *
     * @param alignment the alignment to check.
     * @param name      the argument's name for the message.
     * @return {@code alignment}.
     * @throws IllegalArgumentException naming the argument and its value otherwise.
     */
    public static long checkPowerOfTwo(final long alignment, final String name)
    {
        if (!isPowerOfTwo(alignment))
        {
            throw new IllegalArgumentException(name + " must be a power of 2: " + name + "=" + alignment);
        }
        return alignment;
    }

    /**
     * Rounds {@code value} up to a multiple of {@code alignment}.
     *
     * @param value     a value {@code >= 0}.
     * @param alignment a power of two.
     * @return the smallest multiple of {@code alignment} that is {@code >= value}.
     * @throws IllegalArgumentException if {@code value} is negative or the result does not fit in a long.
     */
    public static long alignUp(final long value, final long alignment)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("value must not be negative: value=" + value);
        }
        final long mask = alignment - 1;
        if (value > Long.MAX_VALUE - mask)
        {
            throw new IllegalArgumentException(
                "value overflows when aligned up: value=" + value + ", alignment=" + alignment);
        }
        return (value + mask) & -alignment;
    }

    /**
     * Whether {@code value} is a multiple of the power of two {@code alignment}.
     *
     * @param value     any value.
     * @param alignment a power of two.
     * @return {@code true} if aligned.
     */
    public static boolean isAligned(final long value, final long alignment)
    {
        return (value & (alignment - 1)) == 0;
    }
}
