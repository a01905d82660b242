package io.carve.pool.bench.jmh;

/**
 * The JVM flags of every fork: Agrona's UnsafeApi needs {@code jdk.internal.misc}; Netty needs
 * {@code java.nio} opened and reflection allowed, or it zero-fills every direct buffer on JDK 17; Netty's
 * leak detector samples buffers and allocates, so it is off.
 */
final class BenchFlags
{
    static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String ADD_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    static final String NETTY_REFLECTION = "-Dio.netty.tryReflectionSetAccessible=true";
    static final String NETTY_NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /** Every allocator the suite compares; policies not yet registered fail their set-up and are skipped. */
    static final String ALLOCATORS = "carve,tlsf,tlsf+guards,buddy,buddy+guards,slab,slab+guards,first-fit,first-fit+guards,"
        + "netty-pooled,netty-pooled-16m,netty-adaptive,malloc,direct";

    private BenchFlags()
    {
    }
}
