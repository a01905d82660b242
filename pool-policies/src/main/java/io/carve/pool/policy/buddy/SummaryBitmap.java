package io.carve.pool.policy.buddy;

import java.util.List;

/**
 * A fixed-size bitmap with summary levels, so the lowest set bit is found in {@code O(log64 bits)} word
 * reads however sparse the map is.
 * <pre>
 *   level 2                 [w0]                       bit i set &lt;=&gt; level-1 word i != 0 (one word: the top)
 *   level 1          [w0 ........ w63]                 bit i set &lt;=&gt; level-0 word i != 0
 *   level 0   [w0 ............................ w4095]   the bits themselves
 * </pre>
 * Levels are added until one holds a single word, so the summaries cost {@code 1/63} of level 0 at most.
 * {@link #set(long)} and {@link #clear(long)} touch a level above only when a word turns empty or
 * non-empty. {@link #first()} first tries the level-0 word where it found the lowest bit last time (no word
 * below it holds a bit: {@code set} lowers the hint, {@code clear} cannot invalidate it), so a bitmap whose
 * lowest bits stay in one word answers with one read instead of a descent. Nothing is allocated after
 * construction.
 */
final class SummaryBitmap
{
    private final long bits;
    private final long[][] levels;
    /** No level-0 word below this one holds a set bit. */
    private int lowestWord;

    SummaryBitmap(final long bits)
    {
        assert bits > 0 && wordsFor(bits) <= Integer.MAX_VALUE : "bits=" + bits;
        this.bits = bits;
        int count = 1;
        for (long words = wordsFor(bits); words > 1; words = wordsFor(words))
        {
            count++;
        }
        levels = new long[count][];
        long size = bits;
        for (int level = 0; level < count; level++)
        {
            levels[level] = new long[(int)wordsFor(size)];
            size = wordsFor(size);
        }
    }

    /**
     * The long words needed for {@code bits} bits.
     *
     * @param bits a count {@code >= 0}.
     * @return {@code ceil(bits / 64)}.
     */
    static long wordsFor(final long bits)
    {
        return (bits + 63) >>> 6;
    }

    long bits()
    {
        return bits;
    }

    long word(final int index)
    {
        return levels[0][index];
    }

    boolean get(final long index)
    {
        assert index >= 0 && index < bits : "index=" + index + ", bits=" + bits;
        return (levels[0][(int)(index >>> 6)] & (1L << index)) != 0;
    }

    void set(final long index)
    {
        assert index >= 0 && index < bits : "index=" + index + ", bits=" + bits;
        lowestWord = Math.min(lowestWord, (int)(index >>> 6));
        long i = index;
        for (final long[] level : levels)
        {
            final int word = (int)(i >>> 6);
            final long old = level[word];
            level[word] = old | (1L << i);
            if (old != 0)
            {
                return;
            }
            i = word;
        }
    }

    void clear(final long index)
    {
        assert index >= 0 && index < bits : "index=" + index + ", bits=" + bits;
        long i = index;
        for (final long[] level : levels)
        {
            final int word = (int)(i >>> 6);
            final long now = level[word] & ~(1L << i);
            level[word] = now;
            if (now != 0)
            {
                return;
            }
            i = word;
        }
    }

    /**
     * The lowest set bit.
     *
     * @return its index, or -1 when no bit is set.
     */
    long first()
    {
        final long[] leaf = levels[0];
        final int hint = lowestWord;
        if (hint < leaf.length)
        {
            final long word = leaf[hint];
            if (word != 0)
            {
                return ((long)hint << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        final long found = descend();
        if (found >= 0)
        {
            lowestWord = (int)(found >>> 6);
        }
        return found;
    }

    private long descend()
    {
        final int top = levels.length - 1;
        final long topWord = levels[top][0];
        if (topWord == 0)
        {
            return -1;
        }
        long index = Long.numberOfTrailingZeros(topWord);
        for (int level = top - 1; level >= 0; level--)
        {
            index = (index << 6) + Long.numberOfTrailingZeros(levels[level][(int)index]);
        }
        return index;
    }

    /**
     * Counts the set bits (a scan of level 0: for the integrity walker, not hot paths).
     *
     * @return the number of set bits.
     */
    long cardinality()
    {
        long count = 0;
        for (final long word : levels[0])
        {
            count += Long.bitCount(word);
        }
        return count;
    }

    /**
     * Heap bytes held: this object, its array of levels and every level, at 16 bytes per header and 8 per
     * element.
     *
     * @return bytes.
     */
    long footprint()
    {
        long bytes = 16L + 16L + 8L * levels.length;
        for (final long[] level : levels)
        {
            bytes += 16L + 8L * level.length;
        }
        return bytes;
    }

    /**
     * Checks that every summary bit matches the emptiness of the word below and that no bit past
     * {@link #bits()} is set.
     *
     * @param name     names the bitmap in problems.
     * @param problems receives what is wrong.
     */
    void verify(final String name, final List<String> problems)
    {
        final long[] leaf = levels[0];
        for (int word = 0; word < Math.min(lowestWord, leaf.length); word++)
        {
            if (leaf[word] != 0)
            {
                problems.add(name + ": word " + word + " holds a bit below the lowest-word hint " + lowestWord);
                break;
            }
        }
        final int spare = (int)(leaf.length * 64L - bits);
        if (spare > 0 && (leaf[leaf.length - 1] >>> (64 - spare)) != 0)
        {
            problems.add(name + ": bits set past the end, bits=" + bits);
        }
        for (int level = 1; level < levels.length; level++)
        {
            final long[] below = levels[level - 1];
            final long[] summary = levels[level];
            for (int word = 0; word < summary.length * 64; word++)
            {
                final boolean marked = (summary[word >>> 6] & (1L << word)) != 0;
                final boolean nonEmpty = word < below.length && below[word] != 0;
                if (marked != nonEmpty)
                {
                    problems.add(name + ": summary level " + level + " bit " + word + " is " + marked
                        + " but the word below is " + (nonEmpty ? "non-empty" : "empty"));
                }
            }
        }
    }
}
