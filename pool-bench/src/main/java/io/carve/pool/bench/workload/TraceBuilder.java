package io.carve.pool.bench.workload;

import org.agrona.collections.IntArrayList;

import java.util.Arrays;

/**
 * Records events into a {@link Trace}, reusing freed slot numbers so that the slot count stays near the
 * peak number of live segments.
 * <p>
 * A target length makes a trace exactly {@code N} events long: each allocation adds one event and needs
 * one more free later, so {@link #canAllocate()} answers whether an allocation still fits beside the free
 * that {@link #build()} appends for every segment left live.
 */
public final class TraceBuilder
{
    private final String name;
    private final String description;
    private final int target;
    private final IntArrayList freeSlots = new IntArrayList();
    private int[] ops = new int[1024];
    private long[] sizes = new long[1024];
    private long[] slotSizes = new long[64];
    private boolean[] slotLive = new boolean[64];
    private int events;
    private int live;
    private int slots;

    /**
     * A builder for a trace of exactly {@code target} events.
     *
     * @param name        the workload's name.
     * @param description its settings, for the report.
     * @param target      the event count, even and {@code >= 2}.
     */
    public TraceBuilder(final String name, final String description, final int target)
    {
        if (target < 2 || (target & 1) != 0)
        {
            throw new IllegalArgumentException("target must be even and at least 2: target=" + target);
        }
        this.name = name;
        this.description = description;
        this.target = target;
    }

    /** @return whether one more allocation and its free fit in the target length. */
    public boolean canAllocate()
    {
        return events + live + 2 <= target;
    }

    /** @return whether the trace is complete once the live segments are freed. */
    public boolean isFull()
    {
        return events + live >= target;
    }

    /** @return segments live now. */
    public int live()
    {
        return live;
    }

    /**
     * Records an allocation.
     *
     * @param size bytes, {@code > 0}.
     * @return the slot that holds it.
     */
    public int allocate(final long size)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        if (!canAllocate())
        {
            throw new IllegalStateException("trace is full: events=" + events + ", live=" + live);
        }
        final int slot = freeSlots.isEmpty() ? newSlot() : freeSlots.removeAt(freeSlots.size() - 1);
        slotSizes[slot] = size;
        slotLive[slot] = true;
        append(slot, size);
        live++;
        return slot;
    }

    /**
     * Records the free of a live slot.
     *
     * @param slot a slot returned by {@link #allocate(long)} and not yet freed.
     */
    public void free(final int slot)
    {
        if (slot < 0 || slot >= slots || !slotLive[slot])
        {
            throw new IllegalArgumentException("slot is not live: slot=" + slot);
        }
        slotLive[slot] = false;
        append(~slot, slotSizes[slot]);
        freeSlots.addInt(slot);
        live--;
    }

    /**
     * Frees what is still live (in slot order) and builds the trace.
     *
     * @return the balanced trace.
     */
    public Trace build()
    {
        for (int slot = 0; slot < slots; slot++)
        {
            if (slotLive[slot])
            {
                free(slot);
            }
        }
        return new Trace(name, description, Arrays.copyOf(ops, events), Arrays.copyOf(sizes, events), slots);
    }

    private int newSlot()
    {
        if (slots == slotSizes.length)
        {
            slotSizes = Arrays.copyOf(slotSizes, slots * 2);
            slotLive = Arrays.copyOf(slotLive, slots * 2);
        }
        return slots++;
    }

    private void append(final int op, final long size)
    {
        if (events == ops.length)
        {
            ops = Arrays.copyOf(ops, events * 2);
            sizes = Arrays.copyOf(sizes, events * 2);
        }
        ops[events] = op;
        sizes[events] = size;
        events++;
    }
}
