package io.carve.pool.policy.tlsf;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OffsetIndexTest
{
    @Test
    void shouldAgreeWithAHashMapUnderRandomChurnAndGrowth()
    {
        final int ids = 5000;
        final long[] extents = new long[ids * 2];
        final OffsetIndex index = new OffsetIndex(4);
        final Map<Long, Integer> reference = new HashMap<>();
        final boolean[] present = new boolean[ids];
        final Random random = new Random(42);
        for (int step = 0; step < 200_000; step++)
        {
            final int id = random.nextInt(ids);
            if (present[id])
            {
                assertEquals(id, index.remove(extents[id << 1], extents));
                reference.remove(extents[id << 1]);
                present[id] = false;
            }
            else
            {
                // Offsets on a 128-byte grid, as a pool hands them out, often clustering.
                long offset;
                do
                {
                    offset = (random.nextBoolean() ? random.nextInt(1 << 16) : random.nextInt(1 << 30)) * 128L;
                }
                while (reference.containsKey(offset));
                extents[id << 1] = offset;
                index.put(id, extents);
                reference.put(offset, id);
                present[id] = true;
            }
            if (step % 1000 == 0)
            {
                for (final Map.Entry<Long, Integer> e : reference.entrySet())
                {
                    assertEquals((int)e.getValue(), index.get(e.getKey(), extents));
                }
            }
            final long probe = random.nextInt(1 << 16) * 128L + (random.nextBoolean() ? 0 : 64);
            assertEquals(reference.getOrDefault(probe, OffsetIndex.MISSING), index.get(probe, extents));
            assertEquals(reference.size(), index.size());
        }
        assertEquals(OffsetIndex.MISSING, index.remove(-128, extents));
    }

    @Test
    void shouldStayAtMostHalfFull()
    {
        final long[] extents = new long[2 * 1000];
        final OffsetIndex index = new OffsetIndex(16);
        assertEquals(32, index.slotCount());
        for (int id = 0; id < 1000; id++)
        {
            extents[id << 1] = id * 4096L;
            index.put(id, extents);
        }
        assertEquals(2048, index.slotCount());
        for (int id = 0; id < 1000; id++)
        {
            assertEquals(id, index.get(id * 4096L, extents));
        }
    }
}
