/**
 * Recordings of a live pool's events, and their reading and writing.
 * <p>
 * A pool records every allocation, free and failed allocation when asked
 * ({@link io.carve.pool.SegmentPool#startRecording(java.nio.file.Path)}, or
 * {@link io.carve.pool.SegmentPoolBuilder#recordTo(java.nio.file.Path)} from the start), into a compact
 * binary file whose layout {@link io.carve.pool.record.RecordingFormat} documents. {@link io.carve.pool.record.EventLog}
 * reads such a file, reads the CSV that RAPIDS RMM's logging adaptor writes
 * ({@code Thread,Time,Action,Pointer,Size,Stream}), and writes either format, so a recording can be replayed
 * by {@code carve-bench replay} and by RMM's replay benchmark alike.
 * <p>
 * Threading: {@link io.carve.pool.record.EventLog} and {@link io.carve.pool.record.PoolEvent} are immutable once
 * read; reading and writing files is not meant for the hot path.
 */
package io.carve.pool.record;
