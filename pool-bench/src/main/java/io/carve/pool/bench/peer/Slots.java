package io.carve.pool.bench.peer;

/** Checks shared by the peers. */
final class Slots
{
    private Slots()
    {
    }

    static int checkSlots(final int slots)
    {
        if (slots <= 0)
        {
            throw new IllegalArgumentException("slots must be positive: slots=" + slots);
        }
        return slots;
    }

    static int checkIntLength(final long len)
    {
        if (len <= 0 || len > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("len must be in (0, 2^31 - 8] for this peer: len=" + len);
        }
        return (int)len;
    }
}
