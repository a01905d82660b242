package io.carve.pool.bench;

import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.buddy.BuddyPolicy;
import io.carve.pool.policy.slab.SlabPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one registry of Carve policies the benchmarks know: name to a factory configured for a workload.
 * <p>
 * A policy's factory may depend on the workload's caller lengths (a slab pool is configured with the
 * workload's size classes); the others ignore them. Each policy yields two benchmark variants: guards off
 * ({@code "tlsf"}) and guards on ({@code "tlsf+guards"}).
 */
public final class Policies
{
    /** Suffix of the guards-on variant. */
    public static final String GUARDS_SUFFIX = "+guards";

    /** The smallest length the benchmarks give a slab class. */
    public static final long SLAB_MIN_LENGTH = 4096;

    private static final Map<String, Function<long[], PolicyFactory>> REGISTRY = new LinkedHashMap<>();

    static
    {
        REGISTRY.put(TlsfPolicy.NAME, lengths -> TlsfPolicy.builder());
        REGISTRY.put(FirstFitPolicy.NAME, lengths -> FirstFitPolicy.factory());
        REGISTRY.put(BuddyPolicy.NAME, lengths -> BuddyPolicy.builder());
        REGISTRY.put(SlabPolicy.NAME, Policies::slab);
    }

    private Policies()
    {
    }

    /**
     * A slab policy whose classes are the workload's recurring lengths of at least
     * {@link #SLAB_MIN_LENGTH} bytes (smaller objects do not suit 2 MiB slabs); a workload without one gets
     * a single class of {@link #SLAB_MIN_LENGTH}, so that everything goes to the backing policy.
     */
    private static PolicyFactory slab(final long[] lengths)
    {
        final long[] classes = java.util.Arrays.stream(lengths).filter(len -> len >= SLAB_MIN_LENGTH).distinct()
            .limit(SlabPolicy.MAX_CLASSES).toArray();
        return SlabPolicy.builder().sizeClasses(classes.length == 0 ? new long[] {SLAB_MIN_LENGTH} : classes);
    }

    /** @return the registered policy names, in registration order. */
    public static List<String> names()
    {
        return Collections.unmodifiableList(new ArrayList<>(REGISTRY.keySet()));
    }

    /** @return every Carve variant: each policy with guards off, then on. */
    public static List<String> variants()
    {
        final List<String> variants = new ArrayList<>();
        for (final String name : REGISTRY.keySet())
        {
            variants.add(name);
            variants.add(name + GUARDS_SUFFIX);
        }
        return variants;
    }

    /**
     * Whether {@code variant} names a registered policy, with or without the guards suffix.
     *
     * @param variant a variant name.
     * @return {@code true} if known.
     */
    public static boolean isVariant(final String variant)
    {
        return REGISTRY.containsKey(policyOf(variant));
    }

    /**
     * The policy name of a variant.
     *
     * @param variant for example {@code "tlsf+guards"}.
     * @return for example {@code "tlsf"}.
     */
    public static String policyOf(final String variant)
    {
        return variant.endsWith(GUARDS_SUFFIX) ? variant.substring(0, variant.length() - GUARDS_SUFFIX.length()) : variant;
    }

    /**
     * Whether a variant has its guards on.
     *
     * @param variant a variant name.
     * @return {@code true} for the {@code +guards} variants.
     */
    public static boolean guardsOf(final String variant)
    {
        return variant.endsWith(GUARDS_SUFFIX);
    }

    /**
     * The factory of a policy, configured for a workload.
     *
     * @param name    a registered policy name.
     * @param lengths the distinct caller lengths of the workload (used by slab for its classes).
     * @return the factory.
     * @throws IllegalArgumentException if the policy is not registered.
     */
    public static PolicyFactory factory(final String name, final long[] lengths)
    {
        final Function<long[], PolicyFactory> factory = REGISTRY.get(name);
        if (factory == null)
        {
            throw new IllegalArgumentException("policy is not registered: name=" + name + ", known=" + names());
        }
        return factory.apply(lengths);
    }
}
