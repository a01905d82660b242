package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.device.DeviceAllocator;
import io.carve.pool.device.OffHeapDeviceAllocator;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.tlsf.TlsfPolicy;

/**
 * Configures and builds a {@link SegmentPool}. Setters check their own argument; {@link #build()} checks
 * the settings together, takes the block from the device, and leaves nothing held when it fails.
 */
public final class SegmentPoolBuilder
{
    /**
     * The largest capacity a pool may have: 2^47 bytes (128 TiB), so that a segment's length packs into
     * the pool's 64-bit segment records.
     */
    public static final long MAX_CAPACITY = 1L << 47;

    /** Events a recording buffers before its writer catches up, unless configured otherwise (2^16). */
    public static final int DEFAULT_RECORDING_BUFFER_EVENTS = 1 << 16;

    /** One segment in this many is guarded under {@link GuardMode#SAMPLED} unless configured otherwise. */
    public static final int DEFAULT_GUARD_SAMPLE_INTERVAL = 16;

    private String name = "carve";
    private DeviceAllocator device = OffHeapDeviceAllocator.prefaulting();
    private long capacity;
    private long initialCapacity = -1;
    private long maximumCapacity;
    private long growthStep;
    private long trimThreshold = -1;
    private java.nio.file.Path recordTo;
    private int recordingBufferEvents = DEFAULT_RECORDING_BUFFER_EVENTS;
    private PolicyFactory policy = TlsfPolicy.builder();
    private AlignmentProfile alignment = AlignmentProfile.UNIFIED;
    private GuardMode guardMode = GuardMode.ALL;
    private int guardSampleInterval = DEFAULT_GUARD_SAMPLE_INTERVAL;
    private LeakAction leakAction = LeakAction.THROW;
    private LeakTracking leakTracking = LeakTracking.OFF;
    private AllocationListener listener = AllocationListener.NONE;
    private long sizeClassCacheBytes = -1;

    SegmentPoolBuilder()
    {
    }

    /**
     * The pool's name, used in every message and report. Default {@code "carve"}.
     *
     * @param name a non-empty name.
     * @return this builder.
     */
    public SegmentPoolBuilder name(final String name)
    {
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("name must not be blank: name=" + name);
        }
        this.name = name;
        return this;
    }

    /**
     * Where the block comes from. Default {@link OffHeapDeviceAllocator#prefaulting()}.
     *
     * @param device the device allocator.
     * @return this builder.
     */
    public SegmentPoolBuilder device(final DeviceAllocator device)
    {
        if (device == null)
        {
            throw new IllegalArgumentException("device must not be null");
        }
        this.device = device;
        return this;
    }

    /**
     * The bytes to take from the device and manage, in one block, for the pool's whole life. Required for a
     * fixed pool; a growable pool takes {@link #initialCapacity(long)} and {@link #maximumCapacity(long)}.
     *
     * @param capacity bytes, in {@code (0, 2^47]}.
     * @return this builder.
     */
    public SegmentPoolBuilder capacity(final long capacity)
    {
        if (capacity <= 0 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException(
                "capacity must be in (0, " + MAX_CAPACITY + "]: capacity=" + capacity);
        }
        this.capacity = capacity;
        return this;
    }

    /**
     * Makes the pool growable: it reserves this much address space on the device once (rounded up to the
     * device's granularity, 2 MB by default), maps granules of it on demand, and gives whole free granules
     * back with {@link SegmentPool#trim()}. The device must be a
     * {@link io.carve.pool.device.VirtualMemoryDevice} (the off-heap, emulated and Ascend devices are), and
     * the policy must support {@link io.carve.pool.policy.AllocationPolicy#reserve(long, long)} (every policy
     * of this project does). Set the initial size with {@link #initialCapacity(long)}, not
     * {@link #capacity(long)}, which fixes the size.
     *
     * @param bytes the most the pool may ever map, in {@code (0, 2^47]}.
     * @return this builder.
     */
    public SegmentPoolBuilder maximumCapacity(final long bytes)
    {
        if (bytes <= 0 || bytes > MAX_CAPACITY)
        {
            throw new IllegalArgumentException(
                "maximumCapacity must be in (0, " + MAX_CAPACITY + "]: maximumCapacity=" + bytes);
        }
        this.maximumCapacity = bytes;
        return this;
    }

    /**
     * For a growable pool ({@link #maximumCapacity(long)}): the bytes mapped when it is built, rounded up to
     * the device's granularity. Default 0: the first allocation maps what it needs.
     *
     * @param bytes {@code >= 0}, at most the maximum capacity.
     * @return this builder.
     */
    public SegmentPoolBuilder initialCapacity(final long bytes)
    {
        if (bytes < 0 || bytes > MAX_CAPACITY)
        {
            throw new IllegalArgumentException(
                "initialCapacity must be in [0, " + MAX_CAPACITY + "]: initialCapacity=" + bytes);
        }
        this.initialCapacity = bytes;
        return this;
    }

    /**
     * For a growable pool: the least one growth maps, rounded up to the device's granularity. A growth maps
     * what the failing allocation needs, at least this much, never past the maximum. Default: one granule,
     * so that mapped bytes follow the live set closely; larger steps make growth (a device call per granule)
     * rarer.
     *
     * @param bytes {@code > 0}.
     * @return this builder.
     */
    public SegmentPoolBuilder growthStep(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("growthStep must be positive: growthStep=" + bytes);
        }
        this.growthStep = bytes;
        return this;
    }

    /**
     * For a growable pool: trim automatically when the mapped bytes that hold no segment exceed this many,
     * after a free that returned memory to the policy (as {@link SegmentPool#trim()} does, without draining
     * the thread caches). Default: never; call {@code trim()} yourself.
     *
     * @param bytes {@code >= 0}.
     * @return this builder.
     */
    public SegmentPoolBuilder trimThreshold(final long bytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("trimThreshold must not be negative: trimThreshold=" + bytes);
        }
        this.trimThreshold = bytes;
        return this;
    }

    /**
     * Records the pool's events from the start to {@code file}, as {@link SegmentPool#startRecording} does
     * later; the recording stops when the pool closes, or through {@link SegmentPool#recording()}.
     *
     * @param file the file, created or replaced.
     * @return this builder.
     */
    public SegmentPoolBuilder recordTo(final java.nio.file.Path file)
    {
        if (file == null)
        {
            throw new IllegalArgumentException("file must not be null");
        }
        this.recordTo = file;
        return this;
    }

    /**
     * The events a recording buffers before its writer catches up; events that find it full are dropped and
     * counted. Default {@value #DEFAULT_RECORDING_BUFFER_EVENTS}, 48 bytes each.
     *
     * @param events a power of two in {@code [16, 2^24]}.
     * @return this builder.
     */
    public SegmentPoolBuilder recordingBufferEvents(final int events)
    {
        if (events < 16 || events > (1 << 24) || Integer.bitCount(events) != 1)
        {
            throw new IllegalArgumentException("recordingBufferEvents must be a power of 2 in [16, 2^24]:"
                + " recordingBufferEvents=" + events);
        }
        this.recordingBufferEvents = events;
        return this;
    }

    /**
     * How segments are placed. Default {@link TlsfPolicy#builder()} with its defaults: constant-time good fit.
     * {@code pool-policies} adds buddy and slab; {@link io.carve.pool.policy.FirstFitPolicy} is the
     * O(live segments) reference used as a test oracle, not for production.
     *
     * @param policy the policy factory (policy builders are factories).
     * @return this builder.
     */
    public SegmentPoolBuilder policy(final PolicyFactory policy)
    {
        if (policy == null)
        {
            throw new IllegalArgumentException("policy must not be null");
        }
        this.policy = policy;
        return this;
    }

    /**
     * The alignment profile of every segment. Default {@link AlignmentProfile#UNIFIED} (128-byte start,
     * {@code ALIGN_UP(len,32)+32}).
     *
     * @param alignment the profile.
     * @return this builder.
     */
    public SegmentPoolBuilder alignment(final AlignmentProfile alignment)
    {
        if (alignment == null)
        {
            throw new IllegalArgumentException("alignment must not be null");
        }
        this.alignment = alignment;
        return this;
    }

    /**
     * Whether to fill each segment's {@code [len, m)} with a pattern on allocate and check it on free and
     * in {@link SegmentPool#verify()}: {@code true} is {@link GuardMode#ALL}, {@code false}
     * {@link GuardMode#OFF}. Default {@link GuardMode#ALL}.
     *
     * @param guards {@code true} to guard every segment.
     * @return this builder.
     */
    public SegmentPoolBuilder guards(final boolean guards)
    {
        this.guardMode = guards ? GuardMode.ALL : GuardMode.OFF;
        return this;
    }

    /**
     * Which segments carry guard bytes. Default {@link GuardMode#ALL}; see {@link GuardMode} for what each
     * mode costs on host memory and on device memory.
     *
     * @param mode the mode.
     * @return this builder.
     */
    public SegmentPoolBuilder guards(final GuardMode mode)
    {
        if (mode == null)
        {
            throw new IllegalArgumentException("guard mode must not be null");
        }
        this.guardMode = mode;
        return this;
    }

    /**
     * Under {@link GuardMode#SAMPLED}, one segment in {@code interval} is guarded. Default
     * {@value #DEFAULT_GUARD_SAMPLE_INTERVAL}.
     *
     * @param interval {@code >= 1}; 1 guards every segment.
     * @return this builder.
     */
    public SegmentPoolBuilder guardSampleInterval(final int interval)
    {
        if (interval < 1)
        {
            throw new IllegalArgumentException("guardSampleInterval must be at least 1: guardSampleInterval=" + interval);
        }
        this.guardSampleInterval = interval;
        return this;
    }

    /**
     * What {@link SegmentPool#close()} does with segments still live. Default {@link LeakAction#THROW}.
     *
     * @param leakAction the action.
     * @return this builder.
     */
    public SegmentPoolBuilder leakAction(final LeakAction leakAction)
    {
        if (leakAction == null)
        {
            throw new IllegalArgumentException("leakAction must not be null");
        }
        this.leakAction = leakAction;
        return this;
    }

    /**
     * Whether to record allocation sites for leak reports. Default {@link LeakTracking#OFF}.
     *
     * @param leakTracking the tracking mode.
     * @return this builder.
     */
    public SegmentPoolBuilder leakTracking(final LeakTracking leakTracking)
    {
        if (leakTracking == null)
        {
            throw new IllegalArgumentException("leakTracking must not be null");
        }
        this.leakTracking = leakTracking;
        return this;
    }

    /**
     * Who is told about allocations, frees and failures. Default {@link AllocationListener#NONE}.
     *
     * @param listener the listener.
     * @return this builder.
     */
    public SegmentPoolBuilder listener(final AllocationListener listener)
    {
        if (listener == null)
        {
            throw new IllegalArgumentException("listener must not be null");
        }
        this.listener = listener;
        return this;
    }

    /**
     * The most segment bytes the size-class cache may park for reuse, in all threads' caches together.
     * Each platform thread parks the segments it frees in its own cache, for up to
     * {@value ThreadCache#CLASSES} exact segment sizes that it repeats and {@value ThreadCache#DEPTH}
     * segments each, and takes them back when it allocates the same size, without the pool's lock. Default
     * {@code capacity / 16}; 0 turns the cache off, so every allocate and free takes the pool's lock.
     * Parked segments go back to the policy whenever an allocation would fail or waits, and when their
     * thread ends.
     *
     * @param bytes bytes, {@code >= 0}.
     * @return this builder.
     */
    public SegmentPoolBuilder sizeClassCacheBytes(final long bytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("sizeClassCacheBytes must not be negative: sizeClassCacheBytes=" + bytes);
        }
        this.sizeClassCacheBytes = bytes;
        return this;
    }

    /**
     * Validates the settings, takes the block from the device and builds the pool.
     *
     * @return the pool.
     * @throws IllegalArgumentException                        if the settings cannot work together.
     * @throws io.carve.pool.device.DeviceAllocationException if the device refuses the block.
     */
    public SegmentPool build()
    {
        if (maximumCapacity > 0)
        {
            if (capacity > 0)
            {
                throw new IllegalArgumentException("capacity fixes the pool's size; a growable pool takes"
                    + " initialCapacity with maximumCapacity: capacity=" + capacity + ", maximumCapacity="
                    + maximumCapacity);
            }
            if (initialCapacity > maximumCapacity)
            {
                throw new IllegalArgumentException("initialCapacity exceeds maximumCapacity: initialCapacity="
                    + initialCapacity + ", maximumCapacity=" + maximumCapacity);
            }
            if (!(device instanceof io.carve.pool.device.VirtualMemoryDevice))
            {
                throw new IllegalArgumentException("a growable pool needs a device that reserves and maps memory"
                    + " (a VirtualMemoryDevice): device=" + device.name());
            }
            return recording(new CarvedSegmentPool(this));
        }
        if (initialCapacity >= 0 || growthStep > 0 || trimThreshold >= 0)
        {
            throw new IllegalArgumentException("initialCapacity, growthStep and trimThreshold apply to a growable"
                + " pool: set maximumCapacity");
        }
        if (capacity == 0)
        {
            throw new IllegalArgumentException("capacity must be set: capacity=0");
        }
        final long smallest = alignment.segmentSize(1);
        if (capacity < smallest)
        {
            throw new IllegalArgumentException("capacity cannot hold one segment: capacity=" + capacity
                + ", smallest segment=" + smallest);
        }
        return recording(new CarvedSegmentPool(this));
    }

    private SegmentPool recording(final SegmentPool pool)
    {
        if (recordTo != null)
        {
            try
            {
                pool.startRecording(recordTo);
            }
            catch (final RuntimeException e)
            {
                pool.close();
                throw e;
            }
        }
        return pool;
    }

    String name()
    {
        return name;
    }

    DeviceAllocator device()
    {
        return device;
    }

    long capacity()
    {
        return capacity;
    }

    PolicyFactory policy()
    {
        return policy;
    }

    /** 0 for a fixed pool. */
    long maximumCapacity()
    {
        return maximumCapacity;
    }

    long initialCapacity()
    {
        return Math.max(0, initialCapacity);
    }

    /** 0 for the default, one granule. */
    long growthStep()
    {
        return growthStep;
    }

    /** -1 for never. */
    long trimThreshold()
    {
        return trimThreshold;
    }

    /** null for no recording from the start. */
    java.nio.file.Path recordTo()
    {
        return recordTo;
    }

    int recordingBufferEvents()
    {
        return recordingBufferEvents;
    }

    AlignmentProfile alignment()
    {
        return alignment;
    }

    GuardMode guardMode()
    {
        return guardMode;
    }

    int guardSampleInterval()
    {
        return guardSampleInterval;
    }

    LeakAction leakAction()
    {
        return leakAction;
    }

    LeakTracking leakTracking()
    {
        return leakTracking;
    }

    AllocationListener listener()
    {
        return listener;
    }

    /** -1 for the default, capacity / 16. */
    long sizeClassCacheBytes()
    {
        return sizeClassCacheBytes;
    }
}
