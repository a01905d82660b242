package io.carve.pool;

import java.util.List;

/**
 * What {@link SegmentPool#verify()} found: empty when the policy's metadata, the pool's records and every
 * live segment's guard bytes agree.
 */
public final class IntegrityReport
{
    private final String poolName;
    private final List<String> problems;
    private final long segmentsChecked;

    IntegrityReport(final String poolName, final List<String> problems, final long segmentsChecked)
    {
        this.poolName = poolName;
        this.problems = List.copyOf(problems);
        this.segmentsChecked = segmentsChecked;
    }

    /**
     * Whether nothing is wrong.
     *
     * @return {@code true} if no problem was found.
     */
    public boolean isClean()
    {
        return problems.isEmpty();
    }

    /**
     * Each problem found, in words.
     *
     * @return an immutable list, empty when clean.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * How many live segments were checked.
     *
     * @return the count.
     */
    public long segmentsChecked()
    {
        return segmentsChecked;
    }

    @Override
    public String toString()
    {
        return "pool '" + poolName + "': " + segmentsChecked + " live segment(s) checked, "
            + (problems.isEmpty() ? "clean" : problems.size() + " problem(s): " + String.join("; ", problems));
    }
}
