package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.record.EventKind;
import io.carve.pool.record.EventLog;
import io.carve.pool.record.PoolEvent;
import io.carve.pool.record.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingTest
{
    private static final long MB = 1L << 20;

    @TempDir
    Path dir;

    /** Replays a log on a fresh pool in recorded order; returns the pool's stats at the end. */
    private static PoolStats replay(final EventLog log, final SegmentPoolBuilder builder)
    {
        try (SegmentPool pool = builder.leakAction(LeakAction.IGNORE).build())
        {
            final Map<Long, Long> addresses = new HashMap<>();
            for (final PoolEvent e : log.events())
            {
                switch (e.kind())
                {
                    case ALLOCATE:
                        final AlignmentProfile profile = AlignmentProfile.custom("replay", e.startAlignment(), e.tailBytes());
                        final long address = pool.allocate(e.length(), profile);
                        assertNull(addresses.put(e.offset(), address), "recorded offset live twice: " + e);
                        break;
                    case FREE:
                        final Long live = addresses.remove(e.offset());
                        assertTrue(live != null, "a free before its allocation: " + e);
                        assertEquals(e.length(), pool.requestedLength(live));
                        pool.free(live);
                        break;
                    default:
                        break;
                }
            }
            return pool.stats();
        }
    }

    @Test
    void shouldRecordAMultiThreadRunThatReplaysToTheSameState() throws Exception
    {
        final Path file = dir.resolve("run.carverec");
        final SegmentPool pool = SegmentPool.builder().name("recorded").capacity(64 * MB).recordTo(file)
            .leakAction(LeakAction.IGNORE).build();
        final ConcurrentLinkedQueue<Long> handed = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++)
        {
            final long seed = t;
            final Thread thread = new Thread(() ->
            {
                final Random random = new Random(seed);
                final List<Long> mine = new ArrayList<>();
                final AlignmentProfile runtime = MemoryApi.RT_MALLOC.profile();
                for (int i = 0; i < 3_000; i++)
                {
                    if (mine.size() < 8 && random.nextBoolean())
                    {
                        final long len = random.nextInt(3) == 0 ? 3_110_400 : 1 + random.nextInt(100_000);
                        final long address = random.nextBoolean() ? pool.tryAllocate(len) : pool.tryAllocate(len, runtime);
                        if (address != SegmentPool.NULL_ADDRESS)
                        {
                            mine.add(address);
                        }
                    }
                    else if (!mine.isEmpty())
                    {
                        final long address = mine.remove(random.nextInt(mine.size()));
                        if (random.nextInt(3) == 0)
                        {
                            handed.offer(address);
                        }
                        else
                        {
                            pool.free(address);
                        }
                    }
                    final Long other = handed.poll();
                    if (other != null)
                    {
                        pool.free(other);
                    }
                }
                mine.forEach(pool::free);
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final PoolStats original = pool.stats();
        final Recording recording = pool.recording();
        recording.stop();
        assertNull(pool.recording());
        assertEquals(0, recording.eventsDropped(), "a complete recording");
        final EventLog log = EventLog.read(file);
        assertEquals(recording.eventsRecorded(), log.events().size());
        assertEquals("recorded", log.header().poolName());
        assertEquals(64 * MB, log.header().capacity());
        assertEquals(original.allocations(), log.events().stream().filter(e -> e.kind() == EventKind.ALLOCATE).count());
        assertEquals(original.frees(), log.events().stream().filter(e -> e.kind() == EventKind.FREE).count());
        assertEquals(original.failures(), log.events().stream().filter(e -> e.kind() == EventKind.FAILURE).count());
        assertTrue(log.events().stream().map(PoolEvent::thread).distinct().count() >= 3, "every thread is named");
        final PoolStats replayed = replay(log, SegmentPool.builder().capacity(64 * MB));
        assertEquals(original.liveSegments(), replayed.liveSegments());
        assertEquals(original.bytesRequested(), replayed.bytesRequested());
        assertEquals(original.bytesInUse(), replayed.bytesInUse());
        pool.close();
    }

    @Test
    void shouldExportAndImportRmmCsv() throws Exception
    {
        final Path file = dir.resolve("small.carverec");
        try (SegmentPool pool = SegmentPool.builder().capacity(8 * MB).leakAction(LeakAction.IGNORE).build())
        {
            final Recording recording = pool.startRecording(file);
            assertThrows(IllegalStateException.class, () -> pool.startRecording(dir.resolve("other")));
            final long a = pool.allocate(1000);
            final long b = pool.allocate(3_000_000);
            pool.free(a);
            assertEquals(SegmentPool.NULL_ADDRESS, pool.tryAllocate(7 * MB));
            pool.free(b);
            recording.stop();
            recording.stop();
        }
        final EventLog log = EventLog.read(file);
        assertEquals(List.of(EventKind.ALLOCATE, EventKind.ALLOCATE, EventKind.FREE, EventKind.FAILURE, EventKind.FREE),
            log.events().stream().map(PoolEvent::kind).toList());
        final Path csv = dir.resolve("small.csv");
        log.writeCsv(csv);
        final List<String> lines = Files.readAllLines(csv);
        assertEquals(EventLog.CSV_HEADER, lines.get(0));
        assertTrue(lines.get(1).matches("\\d+,\\d+\\.\\d{9},allocate,0x7f[0-9a-f]+,1000,0x0"), lines.get(1));
        assertTrue(lines.get(4).contains(",allocate failure,"), lines.get(4));
        final EventLog back = EventLog.readCsv(csv, 128, 32);
        assertEquals(log.events().size(), back.events().size());
        for (int i = 0; i < log.events().size(); i++)
        {
            final PoolEvent was = log.events().get(i);
            final PoolEvent is = back.events().get(i);
            assertEquals(was.kind(), is.kind());
            assertEquals(was.length(), is.length());
            assertEquals(was.thread(), is.thread());
            if (was.kind() != EventKind.FAILURE)
            {
                assertEquals(was.offset() - log.events().get(0).offset(), is.offset() - back.events().get(0).offset());
            }
        }
    }

    @Test
    void shouldReadAnRmmLogWithDeallocateAndAnyBase() throws Exception
    {
        final Path csv = dir.resolve("rmm.csv");
        Files.write(csv, List.of(EventLog.CSV_HEADER,
            "140573312345856,1634567890.123456,allocate,0x7f8a40000000,1024,0x7f8a38001020",
            "140573312345856,1634567890.234567,allocate,0x7f8a40000400,2048,0x7f8a38001020",
            "140573312345856,1634567890.345678,deallocate,0x7f8a40000000,1024,0x7f8a38001020"));
        final EventLog log = EventLog.readCsv(csv, 64, 32);
        assertEquals(3, log.events().size());
        assertEquals(0, log.events().get(0).offset());
        assertEquals(1024, log.events().get(1).offset());
        assertEquals(EventKind.FREE, log.events().get(2).kind());
        assertEquals(111_111_000, log.events().get(1).timeNanos(), 1_000);
        assertEquals(2 * MB, log.header().capacity());
        final PoolStats replayed = replay(log, SegmentPool.builder().capacity(2 * MB));
        assertEquals(1, replayed.liveSegments());
        final Path bad = dir.resolve("bad.csv");
        Files.write(bad, List.of(EventLog.CSV_HEADER, "1,2.0,allocate,0xZZ,10,0x0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventLog.readCsv(bad, 64, 32)).getMessage()
            .startsWith("line 2 of "));
        final Path notLog = dir.resolve("not.carverec");
        Files.write(notLog, new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> EventLog.read(notLog));
    }

    @Test
    void shouldDropAndCountWhatAFullBufferCannotTake() throws Exception
    {
        final Path file = dir.resolve("burst.carverec");
        long attempted = 0;
        final Recording recording;
        try (SegmentPool pool = SegmentPool.builder().capacity(8 * MB).recordingBufferEvents(16).recordTo(file).build())
        {
            recording = pool.recording();
            for (int i = 0; i < 200_000; i++)
            {
                pool.free(pool.allocate(64 + (i % 7) * 32));
                attempted += 2;
            }
        }
        assertTrue(recording.eventsDropped() > 0, "a 16-event buffer cannot keep up with a burst: " + recording);
        assertEquals(attempted, recording.eventsRecorded() + recording.eventsDropped());
        assertEquals(recording.eventsRecorded(), EventLog.read(file).events().size(), "the closed pool stopped it");
    }
}
