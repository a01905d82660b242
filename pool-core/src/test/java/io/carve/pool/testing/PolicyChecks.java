package io.carve.pool.testing;

import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Cross-checks a policy's walk, figures and integrity walker against each other and against a model of
 * the live blocks. Shared by the policy contract, {@link DifferentialRun} and every policy's tests.
 */
public final class PolicyChecks
{
    private PolicyChecks()
    {
    }

    /** One extent seen by a walk. */
    public record Extent(long offset, long size, BlockState state)
    {
    }

    /**
     * Every extent the policy's walk visits, in order.
     *
     * @param policy the policy.
     * @return the extents.
     */
    public static List<Extent> extents(final AllocationPolicy policy)
    {
        final List<Extent> extents = new ArrayList<>();
        policy.walk((offset, size, state) -> extents.add(new Extent(offset, size, state)));
        return extents;
    }

    /**
     * Asserts that the policy's integrity walker is clean and that its walk tiles {@code [0, capacity)}
     * exactly and agrees with every figure.
     *
     * @param policy the policy.
     */
    public static void assertConsistent(final AllocationPolicy policy)
    {
        final List<String> problems = policy.verify();
        assertTrue(problems.isEmpty(), () -> policy.name() + " verify() found: " + problems);
        long position = 0;
        long used = 0;
        long free = 0;
        long live = 0;
        long freeCount = 0;
        long largest = 0;
        for (final Extent e : extents(policy))
        {
            assertEquals(position, e.offset(), () -> policy.name() + " walk does not tile at " + e);
            assertTrue(e.size() > 0, () -> policy.name() + " walk visited an empty extent " + e);
            position += e.size();
            switch (e.state())
            {
                case LIVE:
                    used += e.size();
                    live++;
                    break;
                case FREE:
                    free += e.size();
                    freeCount++;
                    largest = Math.max(largest, e.size());
                    break;
                default:
                    break;
            }
        }
        assertEquals(policy.capacity(), position, () -> policy.name() + " walk does not end at capacity");
        assertEquals(used, policy.usedBytes(), () -> policy.name() + " usedBytes disagrees with walk");
        assertEquals(free, policy.freeBytes(), () -> policy.name() + " freeBytes disagrees with walk");
        assertEquals(live, policy.liveBlocks(), () -> policy.name() + " liveBlocks disagrees with walk");
        assertEquals(freeCount, policy.freeExtentCount(), () -> policy.name() + " freeExtentCount disagrees with walk");
        assertEquals(largest, policy.largestFreeExtent(), () -> policy.name() + " largestFreeExtent disagrees with walk");
    }

    /**
     * As {@link #assertConsistent(AllocationPolicy)}, and checks that the live blocks are exactly the
     * model's: each at its offset, holding at least the size asked for.
     *
     * @param policy the policy.
     * @param model  live offsets mapped to the size asked for.
     */
    public static void assertMatches(final AllocationPolicy policy, final Map<Long, Long> model)
    {
        assertConsistent(policy);
        int seen = 0;
        for (final Extent e : extents(policy))
        {
            if (e.state() == BlockState.LIVE)
            {
                final Long asked = model.get(e.offset());
                if (asked == null)
                {
                    fail(policy.name() + " has a live block the model does not: " + e);
                }
                assertTrue(e.size() >= asked, () -> policy.name() + " block " + e + " is smaller than asked " + asked);
                seen++;
            }
        }
        assertEquals(model.size(), seen, () -> policy.name() + " live blocks differ from the model");
    }

    /**
     * Asserts that a freshly returned block is aligned, in range and overlaps no other live block of the
     * model.
     *
     * @param policy    the policy.
     * @param model     live offsets mapped to the size asked for, not yet holding the new block.
     * @param offset    the new block's offset.
     * @param size      the size asked for.
     * @param alignment the alignment asked for.
     */
    public static void assertPlaced(
        final AllocationPolicy policy,
        final NavigableMap<Long, Long> model,
        final long offset,
        final long size,
        final long alignment)
    {
        assertTrue(offset >= 0 && offset <= policy.capacity() - size,
            () -> policy.name() + " block out of range: offset=" + offset + ", size=" + size);
        assertEquals(0, offset & (alignment - 1), () -> policy.name() + " block misaligned: offset=" + offset
            + ", alignment=" + alignment);
        final Map.Entry<Long, Long> before = model.floorEntry(offset);
        if (before != null)
        {
            assertTrue(before.getKey() + before.getValue() <= offset,
                () -> policy.name() + " block at " + offset + " overlaps " + before);
        }
        final Map.Entry<Long, Long> after = model.ceilingEntry(offset);
        if (after != null)
        {
            assertTrue(offset + size <= after.getKey(),
                () -> policy.name() + " block at " + offset + "+" + size + " overlaps " + after);
        }
    }
}
