package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.DeviceMemory;

/**
 * The guard zone of a segment: the bytes {@code [len, m)} that follow the caller's length (the round-up
 * padding to 32 and the tail) hold {@link #PATTERN}, written on allocate through the device's fill and
 * read back through its copy, so device memory is checked the same way as host memory.
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

    private final DeviceMemory memory;

    Guards(final DeviceMemory memory)
    {
        this.memory = memory;
    }

    /** Writes the pattern over the guard zone of the segment at {@code address}. */
    void arm(final long address, final long len, final int guardLength)
    {
        if (guardLength > 0)
        {
            memory.fill(address + len, guardLength, PATTERN);
        }
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
}
