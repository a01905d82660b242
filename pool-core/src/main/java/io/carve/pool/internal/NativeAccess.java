package io.carve.pool.internal;

/**
 * The one door to raw native memory in {@code pool-core}: allocation, lazy reservations of address space,
 * and in-place reads, writes, fills and copies. Not API (see the package documentation).
 * <p>
 * The implementation is chosen once, when this class loads, by the JDK that runs it:
 * <pre>
 *   JDK 17..21   "unsafe"   Agrona UnsafeApi         needs --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 *   JDK 22+      "ffm"      java.lang.foreign        no export; JDK 24+ wants --enable-native-access=ALL-UNNAMED
 * </pre>
 * The FFM version lives in the jar's multi-release part ({@code META-INF/versions/22}); a JVM reading the
 * classes from a directory rather than the jar sees only the JDK 17 version. {@link #implementation()} says
 * which one runs.
 * <p>
 * Costs: the accessors ({@link #getLong(long)} and friends) compile to one machine load or store on both
 * implementations; they check nothing, so the caller must own the address. The bulk operations check
 * their array ranges. Allocation is {@code malloc}; {@link #reserve(long)} is {@code mmap} with
 * {@code MAP_NORESERVE} on Linux under FFM and {@code malloc} otherwise.
 */
public final class NativeAccess
{
    private static final NativeBackend BACKEND = NativeBackends.select();

    private NativeAccess()
    {
    }

    /**
     * Which implementation runs: {@code "ffm"} (JDK 22+, from the multi-release part of the jar) or
     * {@code "unsafe"}.
     *
     * @return the implementation's name.
     */
    public static String implementation()
    {
        return BACKEND.name();
    }

    /**
     * Allocates native memory ({@code malloc}): not initialised, aligned to at least 8 bytes.
     *
     * @param size bytes, {@code > 0}.
     * @return the address, never 0.
     * @throws OutOfMemoryError if the C heap refuses.
     */
    public static long allocate(final long size)
    {
        checkPositive(size, "size");
        return BACKEND.allocate(size);
    }

    /**
     * Frees memory from {@link #allocate(long)}.
     *
     * @param address the address {@link #allocate(long)} returned.
     */
    public static void free(final long address)
    {
        BACKEND.free(address);
    }

    /**
     * Reserves {@code size} bytes of address space whose pages cost nothing until first touched and read
     * as zero when first touched: {@code mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE)}
     * under FFM on Linux; {@code malloc} otherwise (glibc maps large requests the same way, without
     * {@code MAP_NORESERVE}, so a kernel in its default overcommit mode may refuse a reservation larger than
     * RAM plus swap). The address is page-aligned under {@code mmap} and 16-byte aligned under
     * {@code malloc}.
     *
     * @param size bytes, {@code > 0}.
     * @return the first address.
     * @throws OutOfMemoryError if the address space cannot be reserved.
     */
    public static long reserve(final long size)
    {
        checkPositive(size, "size");
        return BACKEND.reserve(size);
    }

    /**
     * Gives a reservation back.
     *
     * @param address the address {@link #reserve(long)} returned.
     * @param size    the size that was reserved.
     */
    public static void unreserve(final long address, final long size)
    {
        BACKEND.unreserve(address, size);
    }

    /**
     * Whether {@link #discard(long, long)} really gives pages back to the operating system: {@code true}
     * under FFM on Linux ({@code madvise(MADV_DONTNEED)}), {@code false} on JDK 17 to 21 (no way to call
     * {@code madvise} without JNI).
     *
     * @return whether discarding frees memory.
     */
    public static boolean canDiscard()
    {
        return BACKEND.canDiscard();
    }

    /**
     * Gives the pages of {@code [address, address + size)} of a reservation back to the operating system
     * where {@link #canDiscard()}; the range stays reserved and reads as zero when touched again. Where it
     * cannot, the pages stay resident and keep their contents.
     *
     * @param address page-aligned start inside a reservation.
     * @param size    a multiple of the page size.
     */
    public static void discard(final long address, final long size)
    {
        BACKEND.discard(address, size);
    }

    /**
     * Sets {@code length} bytes to {@code value} ({@code memset}).
     *
     * @param address first byte.
     * @param length  bytes, {@code >= 0}.
     * @param value   the byte.
     */
    public static void setMemory(final long address, final long length, final byte value)
    {
        BACKEND.setMemory(address, length, value);
    }

    /**
     * Copies native memory into a Java array.
     *
     * @param address   first byte read.
     * @param dst       the array.
     * @param dstOffset first index written.
     * @param length    bytes.
     * @throws IndexOutOfBoundsException if the range is outside {@code dst}.
     */
    public static void copyToArray(final long address, final byte[] dst, final int dstOffset, final int length)
    {
        checkArray(dst.length, dstOffset, length);
        BACKEND.copyToArray(address, dst, dstOffset, length);
    }

    /**
     * Copies a Java array into native memory.
     *
     * @param src       the array.
     * @param srcOffset first index read.
     * @param address   first byte written.
     * @param length    bytes.
     * @throws IndexOutOfBoundsException if the range is outside {@code src}.
     */
    public static void copyFromArray(final byte[] src, final int srcOffset, final long address, final int length)
    {
        checkArray(src.length, srcOffset, length);
        BACKEND.copyFromArray(src, srcOffset, address, length);
    }

    /**
     * Reads 8 bytes in native byte order; any alignment.
     *
     * @param address the first byte.
     * @return the value.
     */
    public static long getLong(final long address)
    {
        return BACKEND.getLong(address);
    }

    /**
     * Writes 8 bytes in native byte order; any alignment.
     *
     * @param address the first byte.
     * @param value   the value.
     */
    public static void putLong(final long address, final long value)
    {
        BACKEND.putLong(address, value);
    }

    /**
     * Reads one byte.
     *
     * @param address the byte.
     * @return the value.
     */
    public static byte getByte(final long address)
    {
        return BACKEND.getByte(address);
    }

    /**
     * Writes one byte.
     *
     * @param address the byte.
     * @param value   the value.
     */
    public static void putByte(final long address, final byte value)
    {
        BACKEND.putByte(address, value);
    }

    private static void checkPositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + name + "=" + value);
        }
    }

    private static void checkArray(final int arrayLength, final int index, final int length)
    {
        if (index < 0 || length < 0 || index > arrayLength - length)
        {
            throw new IndexOutOfBoundsException(
                "range outside array: index=" + index + ", length=" + length + ", array length=" + arrayLength);
        }
    }
}
