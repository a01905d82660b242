package io.carve.pool.bench.peer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Netty 4.2 direct buffers: {@code directBuffer(n)} and {@code release()}. Three configurations:
 * <ul>
 *   <li>{@link #pooledDefault}: {@code new PooledByteBufAllocator(true)}, Netty's defaults (8 KiB pages,
 *       maxOrder 9 = 4 MiB chunks, 2 x cores direct arenas, thread caches); anything above 4 MiB (a 4K
 *       frame) is not pooled;</li>
 *   <li>{@link #pooledLarge}: one direct arena, 8 KiB pages, maxOrder 11 = 16 MiB chunks so that 4K frames
 *       (12.4 MB) are pooled, small/normal cache sizes 256/64, caches for all threads;</li>
 *   <li>{@link #adaptive}: {@code new AdaptiveByteBufAllocator(true)}.</li>
 * </ul>
 * Netty must run with {@code -Dio.netty.tryReflectionSetAccessible=true} and
 * {@code --add-opens java.base/java.nio=ALL-UNNAMED}, or it zero-fills every direct buffer on JDK 17;
 * {@link #nettyIsAtItsBest()} says whether it does.
 */
public final class NettyAllocator implements BenchAllocator
{
    /** Page size of the large-chunk configuration. */
    public static final int PAGE_SIZE = 8192;
    /** maxOrder of the large-chunk configuration: chunk = 8192 << 11 = 16 MiB. */
    public static final int LARGE_MAX_ORDER = 11;

    private final String name;
    private final String settings;
    private final ByteBufAllocator allocator;
    private final ByteBuf[] buffers;
    private final long[] lengths;
    private long liveRequested;

    private NettyAllocator(final String name, final String settings, final ByteBufAllocator allocator, final int slots)
    {
        this.name = name;
        this.settings = settings + "; " + flags();
        this.allocator = allocator;
        this.buffers = new ByteBuf[Slots.checkSlots(slots)];
        this.lengths = new long[slots];
    }

    /**
     * Netty's pooled allocator with its defaults.
     *
     * @param slots the number of slots.
     * @return the peer.
     */
    public static NettyAllocator pooledDefault(final int slots)
    {
        return new NettyAllocator("netty-pooled", "PooledByteBufAllocator(preferDirect=true), defaults: pageSize="
            + PooledByteBufAllocator.defaultPageSize() + ", maxOrder=" + PooledByteBufAllocator.defaultMaxOrder()
            + " (chunk " + (PooledByteBufAllocator.defaultPageSize() << PooledByteBufAllocator.defaultMaxOrder())
            + " bytes), directArenas=" + PooledByteBufAllocator.defaultNumDirectArena()
            + ", smallCacheSize=" + PooledByteBufAllocator.defaultSmallCacheSize()
            + ", normalCacheSize=" + PooledByteBufAllocator.defaultNormalCacheSize(),
            new PooledByteBufAllocator(true), slots);
    }

    /**
     * Netty's pooled allocator with chunks large enough to pool 4K frames.
     *
     * @param slots the number of slots.
     * @return the peer.
     */
    public static NettyAllocator pooledLarge(final int slots)
    {
        return new NettyAllocator("netty-pooled-16m", "PooledByteBufAllocator(preferDirect=true, nHeapArena=0, "
            + "nDirectArena=1, pageSize=" + PAGE_SIZE + ", maxOrder=" + LARGE_MAX_ORDER + " (chunk "
            + (PAGE_SIZE << LARGE_MAX_ORDER) + " bytes), smallCacheSize=256, normalCacheSize=64, "
            + "useCacheForAllThreads=true)",
            new PooledByteBufAllocator(true, 0, 1, PAGE_SIZE, LARGE_MAX_ORDER, 256, 64, true), slots);
    }

    /**
     * Netty's adaptive allocator.
     *
     * @param slots the number of slots.
     * @return the peer.
     */
    public static NettyAllocator adaptive(final int slots)
    {
        return new NettyAllocator("netty-adaptive", "AdaptiveByteBufAllocator(preferDirect=true)",
            new AdaptiveByteBufAllocator(true), slots);
    }

    /**
     * Whether Netty runs as in production: it can create direct buffers without zero-filling them.
     *
     * @return {@code true} if reflection on {@code java.nio} is allowed and enabled for Netty.
     */
    public static boolean nettyIsAtItsBest()
    {
        return io.netty.util.internal.PlatformDependent.useDirectBufferNoCleaner();
    }

    /** @return the Netty flags in effect, in words. */
    public static String flags()
    {
        return "io.netty.tryReflectionSetAccessible=" + System.getProperty("io.netty.tryReflectionSetAccessible")
            + ", io.netty.leakDetection.level=" + System.getProperty("io.netty.leakDetection.level", "(default)")
            + ", direct buffers without cleaner (no zero-fill): " + nettyIsAtItsBest();
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String settings()
    {
        return settings;
    }

    @Override
    public String kind()
    {
        return "peer";
    }

    @Override
    public boolean allocate(final int slot, final long len)
    {
        final int n = Slots.checkIntLength(len);
        buffers[slot] = allocator.directBuffer(n);
        lengths[slot] = len;
        liveRequested += len;
        return true;
    }

    @Override
    public void free(final int slot)
    {
        final ByteBuf buffer = buffers[slot];
        if (buffer != null)
        {
            buffers[slot] = null;
            liveRequested -= lengths[slot];
            buffer.release();
        }
    }

    @Override
    public void touch(final int slot, final long len)
    {
        final ByteBuf buffer = buffers[slot];
        final int n = (int)len;
        for (int i = 0; i < n; i += PAGE)
        {
            buffer.setByte(i, 1);
        }
    }

    @Override
    public long occupancyBytes()
    {
        return ((ByteBufAllocatorMetricProvider)allocator).metric().usedDirectMemory();
    }

    /**
     * Netty rounds each request up to a size class; {@code maxFastWritableBytes()} of a fresh buffer is
     * what its pooled block can hold.
     */
    @Override
    public double internalWaste()
    {
        long held = 0;
        for (final ByteBuf buffer : buffers)
        {
            if (buffer != null)
            {
                held += buffer.writerIndex() + buffer.maxFastWritableBytes();
            }
        }
        return liveRequested == 0 ? 0.0 : (double)held / liveRequested - 1.0;
    }


    @Override
    public void close()
    {
        for (int slot = 0; slot < buffers.length; slot++)
        {
            free(slot);
        }
        if (allocator instanceof PooledByteBufAllocator)
        {
            ((PooledByteBufAllocator)allocator).trimCurrentThreadCache();
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
