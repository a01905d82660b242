package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.device.DeviceMemory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool that took one large block from a device and carves it into segments.
 * <p>
 * Segments are identified by their device address, a primitive {@code long}: allocating and freeing
 * create no garbage. Every segment starts at a multiple of the alignment profile's start alignment and
 * occupies {@code ALIGN_UP(len, 32) + tail} bytes; with guards on, the bytes in {@code [len, m)} hold a
 * pattern that {@link #free(long)} and {@link #verify()} check.
 *
 * <pre>{@code
 * try (SegmentPool pool = SegmentPool.builder()
 *         .name("frames")
 *         .capacity(256L << 20)
 *         .policy(TlsfPolicy.builder())          // the default; buddy and slab are in pool-policies
 *         .build())
 * {
 *     long frame = pool.allocate(1920 * 1080 * 3 / 2);   // a 1080p NV12 frame, 128-byte aligned
 *     ...
 *     pool.free(frame);
 * }
 * }</pre>
 * Thread-safe: any thread may allocate, and any thread may free a segment another thread allocated. A
 * decoder thread that allocates frames and an inference thread that frees them is the expected shape:
 * freed segments are parked per size class in a lock-free depot and reused without the pool lock, and
 * {@link #allocate(long, long, TimeUnit)} waits for the consumer when the pool is full.
 */
public interface SegmentPool extends AutoCloseable
{
    /** Returned by the {@code tryAllocate} methods when the pool cannot carve the segment. */
    long NULL_ADDRESS = 0L;

    /**
     * A builder with the defaults: off-heap pre-touched memory, the TLSF policy, the
     * unified 128-byte profile, guards on, leaks thrown on close.
     *
     * @return a new builder.
     */
    static SegmentPoolBuilder builder()
    {
        return new SegmentPoolBuilder();
    }

    /**
     * The pool's name, used in every message.
     *
     * @return the name.
     */
    String name();

    /**
     * The bytes the pool manages: a fixed pool's block; a growable pool's whole reserved range (its maximum
     * capacity), of which {@link PoolStats#mappedBytes()} are mapped now.
     *
     * @return the capacity.
     */
    long capacity();

    /**
     * The device address of the block's first byte: segment addresses lie in
     * {@code [baseAddress(), baseAddress() + capacity())}.
     *
     * @return the base address.
     */
    long baseAddress();

    /**
     * The pool's alignment profile.
     *
     * @return the profile.
     */
    AlignmentProfile alignment();

    /**
     * The memory operations of the pool's block: how host code fills and copies segments on a device whose
     * memory it cannot dereference.
     *
     * @return a view of the block; it cannot close the block.
     */
    DeviceMemory memory();

    /**
     * Carves a segment for {@code len} bytes under the pool's alignment profile.
     *
     * @param len the bytes needed, {@code > 0}.
     * @return the segment's address, aligned to the profile's start alignment.
     * @throws IllegalArgumentException if {@code len} is not positive, overflows, or its segment could
     *                                  never fit in this pool; the pool is unchanged.
     * @throws PoolExhaustedException   if no free extent can hold it now.
     * @throws PoolClosedException      after {@link #close()}.
     */
    long allocate(long len);

    /**
     * Carves a segment for {@code len} bytes under another profile, for example 64-byte runtime segments
     * from a 128-byte unified pool.
     *
     * @param len     the bytes needed, {@code > 0}.
     * @param profile the per-request profile; its start alignment must not exceed the pool's.
     * @return the segment's address.
     * @throws IllegalArgumentException if {@code profile} needs a larger alignment than the pool's, or as
     *                                  {@link #allocate(long)}.
     * @throws PoolExhaustedException   if no free extent can hold it now.
     */
    long allocate(long len, AlignmentProfile profile);

    /**
     * As {@link #allocate(long)}, but when the pool cannot carve the segment now, waits until frees make
     * room or the timeout passes, like the vendor's {@code HIAI_DMalloc} (whose default is 500 ms). Waiters
     * are woken by frees, never by spinning; while a thread waits, frees bypass the size-class cache so
     * that nothing hoards the memory it waits for.
     *
     * @param len     the bytes needed, {@code > 0}.
     * @param timeout how long to wait at most, {@code >= 0}.
     * @param unit    the timeout's unit.
     * @return the segment's address.
     * @throws PoolExhaustedException if the timeout passed; its message says how long it waited.
     * @throws InterruptedException   if the thread was interrupted before or while waiting; the pool is
     *                                unchanged.
     */
    long allocate(long len, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * As {@link #allocate(long)}, but returns {@link #NULL_ADDRESS} instead of throwing when the pool
     * cannot carve the segment now. Bad arguments still throw.
     *
     * @param len the bytes needed, {@code > 0}.
     * @return the segment's address, or {@link #NULL_ADDRESS}.
     */
    long tryAllocate(long len);

    /**
     * As {@link #allocate(long, AlignmentProfile)}, but returns {@link #NULL_ADDRESS} on exhaustion.
     *
     * @param len     the bytes needed, {@code > 0}.
     * @param profile the per-request profile.
     * @return the segment's address, or {@link #NULL_ADDRESS}.
     */
    long tryAllocate(long len, AlignmentProfile profile);

    /**
     * Returns a segment to the pool. With guards on, its guard bytes are checked first.
     *
     * @param address an address returned by an allocate method and not yet freed.
     * @throws InvalidFreeException    if the address is 0, outside the pool, inside a segment, already
     *                                 freed or never allocated; the pool is unchanged.
     * @throws GuardViolationException if the segment's guard bytes were overwritten; the segment has been
     *                                 released and the pool stays consistent.
     * @throws PoolClosedException     after {@link #close()}.
     */
    void free(long address);

    /**
     * The length the caller asked for when the segment at {@code address} was allocated.
     *
     * @param address a live segment's address.
     * @return its requested length.
     * @throws InvalidFreeException if the address is not a live segment's (the same checks as free).
     */
    long requestedLength(long address);

    /**
     * A consistent snapshot of the pool's figures.
     *
     * @return a new immutable snapshot.
     */
    PoolStats stats();

    /**
     * Why an allocation of {@code len} under the pool's profile would fail now, or that it would not
     * ({@link FailureVerdict.Cause#FITS}); changes nothing, parked segments included. O(extents) under the
     * pool's locks: for diagnostics, not a hot path.
     *
     * @param len the length to ask about.
     * @return the verdict.
     * @throws IllegalArgumentException if {@code len} is not positive or overflows the segment size.
     * @throws PoolClosedException      if the pool is closed.
     */
    FailureVerdict diagnose(long len);

    /**
     * {@link #diagnose(long)} under a per-request profile.
     *
     * @param len     the length to ask about.
     * @param profile the request's profile, one the pool can serve.
     * @return the verdict.
     * @throws IllegalArgumentException if {@code len} or {@code profile} is invalid.
     * @throws PoolClosedException      if the pool is closed.
     */
    FailureVerdict diagnose(long len, AlignmentProfile profile);

    /**
     * The largest length that {@link #allocate(long)} would succeed with now, exact for every policy: it
     * succeeds and any larger length fails, until the pool changes (with TLSF, first fit and buddy every
     * smaller length succeeds too; with slab a smaller length outside every class may not). Like a failing
     * allocation, it first drains the thread caches back to the policy, so what they parked counts; a growable
     * pool answers for what is mapped now (an allocation may map more: {@link #diagnose(long)} says whether).
     *
     * @return the length in bytes, 0 if not even a 1-byte segment fits.
     * @throws PoolClosedException if the pool is closed.
     */
    long largestAllocatable();

    /**
     * {@link #largestAllocatable()} under a per-request profile (its alignment and tail).
     *
     * @param profile the request's profile, one the pool can serve.
     * @return the length in bytes, 0 if nothing fits.
     * @throws IllegalArgumentException if {@code profile} is null or the pool cannot serve it.
     * @throws PoolClosedException      if the pool is closed.
     */
    long largestAllocatable(AlignmentProfile profile);

    /**
     * The integrity walker: checks the policy's metadata, cross-checks it against the pool's record of
     * live segments and, with guards on, checks every live segment's guard bytes. Costs O(live segments +
     * policy blocks); for tests and diagnostics, not hot paths.
     *
     * @return what was found; {@link IntegrityReport#isClean()} when nothing is wrong.
     */
    IntegrityReport verify();

    /**
     * Visits every live segment, in ascending address order, from a snapshot: the visitor may call back
     * into the pool.
     *
     * @param visitor receives each segment's address and requested length.
     */
    void forEachLiveSegment(SegmentVisitor visitor);

    /**
     * Lists the live segments in ascending address order, each with its allocation site when leak tracking
     * recorded one. Allocates the list: for diagnostics and leak hunts.
     *
     * @return a snapshot.
     */
    List<LiveSegment> liveSegments();

    /**
     * Starts recording every allocation, free and failed allocation of this pool to {@code file}, in the
     * binary format of {@link io.carve.pool.record.RecordingFormat}, until the returned recording is stopped
     * or the pool closes. Recording never blocks or fails a pool call: events that find the buffer full are
     * dropped and counted. Read the file with {@link io.carve.pool.record.EventLog#read(java.nio.file.Path)};
     * replay it with {@code carve-bench replay FILE}.
     *
     * @param file the file, created or replaced.
     * @return the recording.
     * @throws IllegalStateException       if a recording is already running.
     * @throws java.io.UncheckedIOException if the file cannot be opened.
     * @throws PoolClosedException         after {@link #close()}.
     */
    io.carve.pool.record.Recording startRecording(java.nio.file.Path file);

    /**
     * The recording running now, if any.
     *
     * @return the recording, or null.
     */
    io.carve.pool.record.Recording recording();

    /**
     * Gives whole free granules of a growable pool back to the device: segments parked in thread caches go
     * back to the policy first, then every granule that holds no segment, anywhere in the range, is unmapped
     * and its physical memory freed. A later allocation maps granules again as it needs them. A fixed pool
     * has nothing to give back and returns 0 without changing anything.
     *
     * @return the bytes unmapped.
     * @throws PoolClosedException after {@link #close()}.
     */
    long trim();

    /**
     * Returns the block to the device. Segments still live are reported as a leak, as the builder's
     * {@link LeakAction} says (by default a {@link SegmentLeakException}, thrown after the block went
     * back). A second call does nothing; every other method throws {@link PoolClosedException} after it.
     */
    @Override
    void close();
}
