package io.carve.pool.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a recording file: a header, then one fixed-size record per event, all little-endian.
 *
 * <pre>
 * Header
 *   offset  size  field
 *    0       8    magic "CARVEREC" (ASCII)
 *    8       4    version = 1
 *   12       4    header length in bytes (44 + n)
 *   16       8    pool capacity in bytes
 *   24       4    the pool's start alignment
 *   28       4    the pool's tail bytes
 *   32       8    wall-clock time of the recording's start, nanoseconds since the epoch
 *   40       4    n, the length of the pool's name
 *   44       n    the pool's name, UTF-8
 *
 * Record (40 bytes), one per event, in the order the events happened
 *    0       8    time: nanoseconds since the recording started
 *    8       8    thread id
 *   16       8    offset of the segment in the pool's block (-1 for a failed allocation)
 *   24       8    requested length
 *   32       8    info:  bits 0-7   kind (1 allocate, 2 free, 3 failed allocation)
 *                        bits 8-15  log2 of the request's start alignment
 *                        bits 16-31 the request's tail bytes / 32
 * </pre>
 * The order of records is a valid replay order: a segment's allocation is recorded before its address is
 * returned, and its free before its bytes can be handed out again.
 */
public final class RecordingFormat
{
    /** The file's first eight bytes. */
    public static final byte[] MAGIC = "CARVEREC".getBytes(StandardCharsets.US_ASCII);
    /** The version this class reads and writes. */
    public static final int VERSION = 1;
    /** Bytes of one record. */
    public static final int RECORD_BYTES = 40;
    /** Bytes of the header before the pool's name. */
    public static final int FIXED_HEADER_BYTES = 44;

    private RecordingFormat()
    {
    }

    /**
     * What a recording's header says about its pool.
     *
     * @param poolName       the pool's name.
     * @param capacity       the pool's capacity.
     * @param startAlignment the pool's start alignment.
     * @param tailBytes      the pool's tail bytes.
     * @param startEpochNanos wall-clock time of the recording's start.
     */
    public record Header(String poolName, long capacity, int startAlignment, int tailBytes, long startEpochNanos)
    {
        /**
         * Encodes the header.
         *
         * @return a buffer positioned at 0, little-endian.
         */
        public ByteBuffer encode()
        {
            final byte[] name = poolName.getBytes(StandardCharsets.UTF_8);
            final ByteBuffer buffer = ByteBuffer.allocate(FIXED_HEADER_BYTES + name.length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.put(MAGIC).putInt(VERSION).putInt(FIXED_HEADER_BYTES + name.length).putLong(capacity)
                .putInt(startAlignment).putInt(tailBytes).putLong(startEpochNanos).putInt(name.length).put(name);
            return buffer.flip();
        }
    }

    /**
     * Packs a record's info word.
     *
     * @param kind           the event's kind.
     * @param startAlignment the request's start alignment, a power of two.
     * @param tailBytes      the request's tail, a multiple of 32 up to 2^21.
     * @return the info word.
     */
    public static long info(final EventKind kind, final int startAlignment, final int tailBytes)
    {
        return kind.code() | (long)Integer.numberOfTrailingZeros(startAlignment) << 8 | (long)(tailBytes >>> 5) << 16;
    }

    /**
     * The kind of an info word.
     *
     * @param info a record's info word.
     * @return the kind.
     */
    public static EventKind kind(final long info)
    {
        return EventKind.of((int)(info & 0xFF));
    }

    /**
     * The start alignment of an info word.
     *
     * @param info a record's info word.
     * @return the alignment.
     */
    public static int startAlignment(final long info)
    {
        return 1 << (int)((info >>> 8) & 0xFF);
    }

    /**
     * The tail bytes of an info word.
     *
     * @param info a record's info word.
     * @return the tail.
     */
    public static int tailBytes(final long info)
    {
        return (int)((info >>> 16) & 0xFFFF) << 5;
    }
}
