package io.carve.pool.bench;

import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.peer.CarveAllocator;
import io.carve.pool.bench.peer.DirectBufferAllocator;
import io.carve.pool.bench.peer.MallocAllocator;
import io.carve.pool.bench.peer.NettyAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Creates any allocator of a comparison by name: a Carve variant ({@link Policies#variants()}) or a peer
 * ({@link #PEERS}).
 */
public final class Allocators
{
    /**
     * Carve as a user gets it from the builder's defaults: only a name and a capacity are set (TLSF, guards
     * on, the size-class cache on at capacity / 16, pre-touched off-heap memory, the unified profile).
     */
    public static final String CARVE_DEFAULTS = "carve";
    /** Netty's pooled allocator, defaults. */
    public static final String NETTY_POOLED = "netty-pooled";
    /** Netty's pooled allocator, 16 MiB chunks. */
    public static final String NETTY_POOLED_16M = "netty-pooled-16m";
    /** Netty's adaptive allocator. */
    public static final String NETTY_ADAPTIVE = "netty-adaptive";
    /** malloc/free. */
    public static final String MALLOC = "malloc";
    /** ByteBuffer.allocateDirect. */
    public static final String DIRECT = "direct";
    /** Every peer, in report order. */
    public static final List<String> PEERS = List.of(NETTY_POOLED, NETTY_POOLED_16M, NETTY_ADAPTIVE, MALLOC, DIRECT);

    private Allocators()
    {
    }

    /** @return Carve's defaults, every Carve variant, then every peer. */
    public static List<String> all()
    {
        final List<String> all = new ArrayList<>();
        all.add(CARVE_DEFAULTS);
        all.addAll(Policies.variants());
        all.addAll(PEERS);
        return all;
    }

    /**
     * Creates an allocator.
     *
     * @param name     a Carve variant or a peer.
     * @param lengths  the workload's distinct caller lengths (for slab classes).
     * @param capacity a Carve pool's capacity (peers ignore it).
     * @param prefault whether a Carve pool pre-touches its block.
     * @param cache    whether a Carve pool's size-class cache is on.
     * @param slots    the number of slots.
     * @return the allocator.
     * @throws IllegalArgumentException if the name is unknown.
     */
    public static BenchAllocator create(
        final String name,
        final long[] lengths,
        final long capacity,
        final boolean prefault,
        final boolean cache,
        final int slots)
    {
        switch (name)
        {
            case CARVE_DEFAULTS:
                return CarveAllocator.defaults(name, capacity, slots);
            case NETTY_POOLED:
                return NettyAllocator.pooledDefault(slots);
            case NETTY_POOLED_16M:
                return NettyAllocator.pooledLarge(slots);
            case NETTY_ADAPTIVE:
                return NettyAllocator.adaptive(slots);
            case MALLOC:
                return new MallocAllocator(slots);
            case DIRECT:
                return new DirectBufferAllocator(slots);
            default:
                if (!Policies.isVariant(name))
                {
                    throw new IllegalArgumentException("unknown allocator: name=" + name + ", known=" + all());
                }
                final String policy = Policies.policyOf(name);
                return new CarveAllocator(name, Policies.factory(policy, lengths), Policies.guardsOf(name), cache,
                    capacity, prefault, slots);
        }
    }

    /**
     * Whether a name is a Carve variant.
     *
     * @param name an allocator name.
     * @return {@code true} for Carve.
     */
    public static boolean isCarve(final String name)
    {
        return CARVE_DEFAULTS.equals(name) || !PEERS.contains(name) && Policies.isVariant(name);
    }
}
