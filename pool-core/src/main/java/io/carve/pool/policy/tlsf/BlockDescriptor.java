package io.carve.pool.policy.tlsf;

/**
 * The layout of TLSF's block records, and their accessors: every field of a block is read and written
 * through a method named after it, as tlsf.c does, never by index arithmetic at the point of use.
 * <pre>
 *  long[] records: 4 words (32 bytes) per id b, at index 4b
 *
 *   word    field                                   FREE block            LIVE block      recycled id
 *  ------+---------------------------------------+---------------------+---------------+----------------
 *   4b    offset                                   first byte            first byte      -
 *   4b+1  size                                     bytes                 bytes           -
 *   4b+2  prevPhys &lt;&lt; 32 | nextPhys (unsigned)    physical neighbours   physical        -
 *   4b+3  prevFree &lt;&lt; 32 | nextFree (unsigned)    free-list neighbours  LIVE &lt;&lt; 32     UNUSED &lt;&lt; 32 |
 *                                                  (ids &gt;= 0)                            next recycled
 * </pre>
 * The high half of word {@code 4b+3} is the state: {@code >= 0} free (the previous id in a circular free
 * list whose sentinel is a record of its own), {@link #LIVE} or {@link #UNUSED}; so a block is free exactly
 * when that word, read as a long, is not negative. A record is 32 bytes so that one block's fields share a
 * cache line more often than not ({@code long[]} data is only 8-byte aligned on the JVM).
 * <p>
 * The accessors are static and take the array, so the policy can hold it in a local across a method; they
 * are inlined by the JIT. Not a public API.
 */
final class BlockDescriptor
{
    /** log2 of the words per record. */
    static final int RECORD_SHIFT = 2;
    /** Bytes per record. */
    static final int RECORD_BYTES = Long.BYTES << RECORD_SHIFT;
    /** The state of a live block. */
    static final int LIVE = -2;
    /** The state of a recycled id. */
    static final int UNUSED = -3;

    private static final int OFFSET = 0;
    private static final int SIZE = 1;
    private static final int PHYS = 2;
    private static final int FREE_LINKS = 3;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final long HIGH = ~LOW;
    private static final long LIVE_WORD = (long)LIVE << 32;

    private BlockDescriptor()
    {
    }

    static int index(final int block)
    {
        return block << RECORD_SHIFT;
    }

    static long pack(final int high, final int low)
    {
        return (long)high << 32 | (low & LOW);
    }

    static long offset(final long[] records, final int block)
    {
        return records[index(block) + OFFSET];
    }

    static void offset(final long[] records, final int block, final long offset)
    {
        records[index(block) + OFFSET] = offset;
    }

    static long size(final long[] records, final int block)
    {
        return records[index(block) + SIZE];
    }

    static void size(final long[] records, final int block, final long size)
    {
        records[index(block) + SIZE] = size;
    }

    static int prevPhys(final long[] records, final int block)
    {
        return (int)(records[index(block) + PHYS] >> 32);
    }

    static int nextPhys(final long[] records, final int block)
    {
        return (int)records[index(block) + PHYS];
    }

    static void phys(final long[] records, final int block, final int prev, final int next)
    {
        records[index(block) + PHYS] = pack(prev, next);
    }

    static void prevPhys(final long[] records, final int block, final int prev)
    {
        final int i = index(block) + PHYS;
        records[i] = (records[i] & LOW) | (long)prev << 32;
    }

    static void nextPhys(final long[] records, final int block, final int next)
    {
        final int i = index(block) + PHYS;
        records[i] = (records[i] & HIGH) | (next & LOW);
    }

    static int prevFree(final long[] records, final int block)
    {
        return (int)(records[index(block) + FREE_LINKS] >> 32);
    }

    static int nextFree(final long[] records, final int block)
    {
        return (int)records[index(block) + FREE_LINKS];
    }

    static void freeLinks(final long[] records, final int block, final int prev, final int next)
    {
        records[index(block) + FREE_LINKS] = pack(prev, next);
    }

    static void prevFree(final long[] records, final int block, final int prev)
    {
        final int i = index(block) + FREE_LINKS;
        records[i] = (records[i] & LOW) | (long)prev << 32;
    }

    static void nextFree(final long[] records, final int block, final int next)
    {
        final int i = index(block) + FREE_LINKS;
        records[i] = (records[i] & HIGH) | (next & LOW);
    }

    /** The state: an id {@code >= 0} when free, else {@link #LIVE} or {@link #UNUSED}. */
    static int state(final long[] records, final int block)
    {
        return prevFree(records, block);
    }

    static boolean isFree(final long[] records, final int block)
    {
        return records[index(block) + FREE_LINKS] >= 0;
    }

    static boolean isLive(final long[] records, final int block)
    {
        return state(records, block) == LIVE;
    }

    static void markLive(final long[] records, final int block)
    {
        records[index(block) + FREE_LINKS] = LIVE_WORD;
    }

    /** Marks a recycled id and chains it in front of {@code nextUnused}. */
    static void markUnused(final long[] records, final int block, final int nextUnused)
    {
        freeLinks(records, block, UNUSED, nextUnused);
    }

    /** The recycled id after a recycled one. */
    static int nextUnused(final long[] records, final int block)
    {
        return nextFree(records, block);
    }
}
