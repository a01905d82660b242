package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.DeviceMemory;
import io.carve.pool.internal.NativeAccess;

/**
 * The guard zone of a segment: the bytes {@code [len, m)} that follow the caller's length (the round-up
 * padding to 32 and the tail) hold {@link #PATTERN}, written on allocate through the device's fill and
 * read back through its copy, so device memory is checked the same way as host memory.
 * <p>
 * When the device says its memory is host-accessible, the zone (at most 31 + tail bytes, always inside the
 * segment being carved or freed) is written and compared in place, eight bytes at a time, instead of
 * through a bounds-checked fill and a copy into a scratch array: the guards sit on every allocate and
 * free, and that halves their cost.
 * <p>
 * Thread-safe: the read-back goes into a scratch array the caller owns (one per record shard, used under
 * the shard's lock).
 */
final class Guards
{
    /** The guard byte: non-zero, and not a value that zeroing or a 0xFF fill would leave behind. */
    static final byte PATTERN = (byte)0xFD;

    /** The longest guard zone: 31 bytes of padding plus the largest tail. */
    static final int MAX_GUARD = MemoryApi.GRANULE - 1 + AlignmentProfile.MAX_TAIL;

    private static final long PATTERN_WORD = 0x0101010101010101L * (PATTERN & 0xFF);

    private final DeviceMemory memory;
    private final boolean direct;

    Guards(final DeviceMemory memory)
    {
        this.memory = memory;
        this.direct = memory.isHostAccessible();
    }

    /** Writes the pattern over the guard zone of the segment at {@code address}. */
    void arm(final long address, final long len, final int guardLength)
    {
        if (guardLength == 0)
        {
            return;
        }
        if (!direct)
        {
            memory.fill(address + len, guardLength, PATTERN);
            return;
        }
        final long zone = address + len;
        if (guardLength < Long.BYTES)
        {
            for (int i = 0; i < guardLength; i++)
            {
                NativeAccess.putByte(zone + i, PATTERN);
            }
            return;
        }
        // Whole words, then one last word ending at the zone's end (overlapping the one before): no byte loop.
        for (int i = 0; i + Long.BYTES < guardLength; i += Long.BYTES)
        {
            NativeAccess.putLong(zone + i, PATTERN_WORD);
        }
        NativeAccess.putLong(zone + guardLength - Long.BYTES, PATTERN_WORD);
    }

    /**
     * Reads the guard zone back into {@code scratch}.
     *
     * @return the index within the zone of the first byte that is not the pattern, or -1 when intact; the
     * byte found is then {@code scratch[index]}.
     */
    int check(final long address, final long len, final int guardLength, final byte[] scratch)
    {
        if (guardLength == 0)
        {
            return -1;
        }
        if (direct)
        {
            return checkInPlace(address + len, guardLength, scratch);
        }
        memory.copyToHost(address + len, scratch, 0, guardLength);
        for (int i = 0; i < guardLength; i++)
        {
            if (scratch[i] != PATTERN)
            {
                return i;
            }
        }
        return -1;
    }

    private static int checkInPlace(final long zone, final int guardLength, final byte[] scratch)
    {
        if (guardLength >= Long.BYTES)
        {
            // Intact zones (the common case) cost whole-word compares only, the last one overlapping.
            boolean intact = NativeAccess.getLong(zone + guardLength - Long.BYTES) == PATTERN_WORD;
            for (int i = 0; intact && i + Long.BYTES < guardLength; i += Long.BYTES)
            {
                intact = NativeAccess.getLong(zone + i) == PATTERN_WORD;
            }
            if (intact)
            {
                return -1;
            }
        }
        for (int i = 0; i < guardLength; i++)
        {
            final byte found = NativeAccess.getByte(zone + i);
            if (found != PATTERN)
            {
                scratch[i] = found;
                return i;
            }
        }
        return -1;
    }
}
