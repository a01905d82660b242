package io.carve.pool.record;

import java.nio.file.Path;

/**
 * A recording in progress of a pool's events to a file (see {@link RecordingFormat}), started by
 * {@link io.carve.pool.SegmentPool#startRecording(Path)} or the builder's
 * {@link io.carve.pool.SegmentPoolBuilder#recordTo(Path)}.
 * <p>
 * Events go into a bounded buffer that a background thread writes to the file, so recording never blocks
 * or fails an allocation: when the buffer is full an event is dropped and counted ({@link #eventsDropped()}),
 * and a recording with dropped events says so when it stops. With recording on, each event costs a
 * compare-and-set on the buffer, a clock read and five stores, and allocates nothing.
 */
public interface Recording extends AutoCloseable
{
    /**
     * The file written.
     *
     * @return the path.
     */
    Path file();

    /**
     * Events taken into the buffer so far.
     *
     * @return the count.
     */
    long eventsRecorded();

    /**
     * Events lost because the buffer was full.
     *
     * @return the count; 0 for a complete recording.
     */
    long eventsDropped();

    /**
     * Stops recording: events already in the buffer are written and the file is closed. Events of calls
     * racing the stop may be missing from the file. A second call does nothing.
     *
     * @throws java.io.UncheckedIOException if the file could not be written.
     */
    void stop();

    /** Same as {@link #stop()}. */
    @Override
    default void close()
    {
        stop();
    }
}
