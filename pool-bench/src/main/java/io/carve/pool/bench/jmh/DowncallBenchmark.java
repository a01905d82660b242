package io.carve.pool.bench.jmh;

import io.carve.pool.SegmentPool;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.AscendDevice;
import io.carve.pool.device.DeviceBlock;
import io.carve.pool.device.HugePagePolicy;
import io.carve.pool.internal.NativeAccess;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What one vendor call costs through Carve's FFM binding ({@code AscendDevice}, JDK 22+) against the C
 * stand-in of the runtime, beside a pool allocation: the number behind "pool, don't call malloc often".
 * <ul>
 *   <li>{@code vendorMemset}: one {@code aclrtMemset} of 64 bytes (the binding's checks, the downcall, and
 *       the stand-in's lock, address look-up and memset);</li>
 *   <li>{@code vendorMallocFree}: {@code aclrtMalloc} + {@code aclrtFree} of a 1080p NV12 frame, the call a
 *       pool replaces (the stand-in maps and unmaps host pages for it: a floor, not a device's cost);</li>
 *   <li>{@code poolAllocateFree}: allocate+free of the same frame from a TLSF pool over the same device,
 *       guards off (no vendor call at all); {@code poolAllocateFreeGuarded}: guards on, so one
 *       {@code aclrtMemset} to arm and one {@code aclrtMemcpy} to check per pair.</li>
 * </ul>
 * The library is {@code -p library=PATH}, else {@code -Dcarve.acl.library}; build the stand-in with
 * {@code gcc -shared -fPIC -O2 -o /tmp/libascendcl.so pool-core/src/test/resources/io/carve/pool/device/acl_standin.c -lpthread}.
 * Needs JDK 22+ (the set-up fails, and JMH skips the trial, on older JDKs). Score: ns per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, "--enable-native-access=ALL-UNNAMED"})
public class DowncallBenchmark
{
    /** A 1920x1080 NV12 frame. */
    static final long FRAME = 3_110_400;

    /** The runtime library (the stand-in); empty: the system property {@code carve.acl.library}. */
    @Param({""})
    public String library;

    private AscendDevice device;
    private DeviceBlock block;
    private SegmentPool pool;
    private SegmentPool guarded;

    /** Loads the binding, takes a block for the memset and builds the two pools. */
    @Setup(Level.Trial)
    public void setUp()
    {
        if (!"ffm".equals(NativeAccess.implementation()))
        {
            throw new IllegalStateException("the binding needs JDK 22+ and the jar's versions/22 classes; this is "
                + Runtime.version() + " with native access " + NativeAccess.implementation());
        }
        final String path = library.isEmpty() ? System.getProperty(AscendDevice.LIBRARY_PROPERTY, "") : library;
        if (path.isEmpty())
        {
            throw new IllegalStateException("name the runtime library: -p library=/path/to/libascendcl.so or -D"
                + AscendDevice.LIBRARY_PROPERTY + "=...");
        }
        device = AscendDevice.builder().library(Path.of(path)).api(MemoryApi.RT_MALLOC)
            .pagePolicy(HugePagePolicy.HUGE_FIRST).build();
        block = device.allocate(1L << 20, 128);
        pool = SegmentPool.builder().name("downcall").capacity(64L << 20).device(device)
            .policy(TlsfPolicy.builder()).guards(false).sizeClassCacheBytes(0).build();
        guarded = SegmentPool.builder().name("downcall-guarded").capacity(64L << 20).device(device)
            .policy(TlsfPolicy.builder()).guards(true).sizeClassCacheBytes(0).build();
    }

    /** Gives everything back. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        guarded.close();
        pool.close();
        block.close();
    }

    /** One aclrtMemset of 64 bytes through the binding. */
    @Benchmark
    public void vendorMemset()
    {
        block.fill(block.address() + 4096, 64, (byte)0);
    }

    /**
     * aclrtMalloc + aclrtFree of one frame through the binding.
     *
     * @return the block's address, so the work is not dead.
     */
    @Benchmark
    public long vendorMallocFree()
    {
        final DeviceBlock frame = device.allocate(FRAME, 128);
        final long address = frame.address();
        frame.close();
        return address;
    }

    /**
     * Allocate + free of one frame from the pool, guards off: no vendor call.
     *
     * @return the segment's address.
     */
    @Benchmark
    public long poolAllocateFree()
    {
        final long address = pool.allocate(FRAME);
        pool.free(address);
        return address;
    }

    /**
     * Allocate + free of one frame from the pool, guards on: one aclrtMemset and one aclrtMemcpy.
     *
     * @return the segment's address.
     */
    @Benchmark
    public long poolAllocateFreeGuarded()
    {
        final long address = guarded.allocate(FRAME);
        guarded.free(address);
        return address;
    }
}
