package io.carve.pool;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

/**
 * Lincheck settings shared by the pool's model checks. Code that always runs under one of the pool's
 * locks (the policy, the guards, the counters, the table's walk) or touches no
 * shared state is treated as atomic, so the checker spends its interleavings on the protocol between the
 * locks, the records and {@code closed}, where races live; the JDK collections used under the locks too.
 */
final class ModelChecking
{
    private ModelChecking()
    {
    }

    static ModelCheckingOptions options()
    {
        return new ModelCheckingOptions()
            .loopBound(2_000)
            .addGuarantee(forClasses(
                "io.carve.pool.policy.tlsf.TlsfPolicy",
                "io.carve.pool.policy.tlsf.OffsetIndex",
                "io.carve.pool.policy.FirstFitPolicy",
                "io.carve.pool.Guards",
                "io.carve.pool.PoolCounters",
                "io.carve.pool.SegmentRecord",
                "io.carve.pool.align.AlignmentProfile",
                "java.util.ArrayList",
                "java.util.Arrays",
                "java.util.LinkedHashMap",
                "java.util.HashMap").allMethods().treatAsAtomic())
            .addGuarantee(forClasses("io.carve.pool.SegmentTable").methods("forEach", "install", "findContaining")
                .treatAsAtomic());
    }
}
