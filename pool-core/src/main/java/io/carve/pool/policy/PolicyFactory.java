package io.carve.pool.policy;

import io.carve.pool.align.AlignmentProfile;

/**
 * Creates the policy of one pool once its capacity and alignment profile are known. Policy builders
 * implement it, so a configured builder is handed to the pool builder as is.
 */
public interface PolicyFactory
{
    /**
     * The policy's short name for stats, messages and reports (for example {@code "tlsf"}).
     *
     * @return the name.
     */
    String name();

    /**
     * Creates a policy over {@code [0, capacity)}.
     *
     * @param capacity the bytes to manage, {@code > 0}.
     * @param profile  the pool's alignment profile: every allocation asks for at most its start alignment,
     *                 and segment sizes are computed under it.
     * @return a new, empty policy.
     * @throws IllegalArgumentException if the policy cannot manage this capacity with its settings.
     */
    AllocationPolicy create(long capacity, AlignmentProfile profile);
}
