package io.carve.pool.record;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording read into memory: the header and the events in recorded order. Reads Carve's binary format
 * ({@link RecordingFormat}) and the CSV of RAPIDS RMM's logging adaptor; writes both.
 *
 * <h2>RMM's CSV</h2>
 * <pre>
 *   Thread,Time,Action,Pointer,Size,Stream
 *   140573312345856,1634567890.123456,allocate,0x7f8a40000000,1024,0x7f8a38001020
 * </pre>
 * Time is seconds since the epoch; Action is {@code allocate}, {@code free} or {@code deallocate}, or
 * {@code allocate failure}; Pointer is hexadecimal. Carve writes its offsets added to a nominal base
 * ({@link #CSV_BASE}) so that pointers look like device addresses, and the stream as {@code 0x0}; it reads
 * any base (the lowest pointer of the log, rounded down to 2 MiB, becomes offset 0). RMM logs carry no
 * alignment or tail: on import every request takes the given profile.
 */
public final class EventLog
{
    /** The base Carve adds to offsets in the pointers of the CSV it writes. */
    public static final long CSV_BASE = 0x7f00_0000_0000L;
    /** The first line of an RMM log. */
    public static final String CSV_HEADER = "Thread,Time,Action,Pointer,Size,Stream";

    private final RecordingFormat.Header header;
    private final List<PoolEvent> events;

    /**
     * A log of the given events.
     *
     * @param header what the recording says about its pool.
     * @param events the events, in recorded order.
     */
    public EventLog(final RecordingFormat.Header header, final List<PoolEvent> events)
    {
        if (header == null || events == null)
        {
            throw new IllegalArgumentException("header and events must not be null");
        }
        this.header = header;
        this.events = List.copyOf(events);
    }

    /**
     * The header.
     *
     * @return what the recording says about its pool.
     */
    public RecordingFormat.Header header()
    {
        return header;
    }

    /**
     * The events.
     *
     * @return an immutable list, in recorded order.
     */
    public List<PoolEvent> events()
    {
        return events;
    }

    /**
     * Reads a recording in Carve's binary format.
     *
     * @param file the file.
     * @return the log.
     * @throws IllegalArgumentException if the file is not a recording (magic, version, truncated record).
     * @throws UncheckedIOException     if it cannot be read.
     */
    public static EventLog read(final Path file)
    {
        final ByteBuffer buffer;
        try
        {
            buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read recording " + file, e);
        }
        final byte[] magic = new byte[RecordingFormat.MAGIC.length];
        if (buffer.remaining() < RecordingFormat.FIXED_HEADER_BYTES || !Arrays.equals(getBytes(buffer, magic),
            RecordingFormat.MAGIC))
        {
            throw new IllegalArgumentException("not a Carve recording (no CARVEREC magic): file=" + file);
        }
        final int version = buffer.getInt();
        if (version != RecordingFormat.VERSION)
        {
            throw new IllegalArgumentException("unknown recording version: version=" + version + ", file=" + file);
        }
        final int headerLength = buffer.getInt();
        final long capacity = buffer.getLong();
        final int alignment = buffer.getInt();
        final int tail = buffer.getInt();
        final long start = buffer.getLong();
        final byte[] name = new byte[buffer.getInt()];
        buffer.get(name);
        if (buffer.position() != headerLength)
        {
            throw new IllegalArgumentException("corrupt recording header: length " + headerLength + ", read "
                + buffer.position() + ", file=" + file);
        }
        if (buffer.remaining() % RecordingFormat.RECORD_BYTES != 0)
        {
            throw new IllegalArgumentException("recording ends inside a record: " + buffer.remaining()
                + " bytes after the header, file=" + file);
        }
        final List<PoolEvent> events = new ArrayList<>(buffer.remaining() / RecordingFormat.RECORD_BYTES);
        while (buffer.hasRemaining())
        {
            final long time = buffer.getLong();
            final long thread = buffer.getLong();
            final long offset = buffer.getLong();
            final long length = buffer.getLong();
            final long info = buffer.getLong();
            events.add(new PoolEvent(RecordingFormat.kind(info), time, thread, offset, length,
                RecordingFormat.startAlignment(info), RecordingFormat.tailBytes(info)));
        }
        return new EventLog(new RecordingFormat.Header(new String(name, StandardCharsets.UTF_8), capacity, alignment,
            tail, start), events);
    }

    private static byte[] getBytes(final ByteBuffer buffer, final byte[] into)
    {
        buffer.get(into);
        return into;
    }

    /**
     * Writes the log in Carve's binary format.
     *
     * @param file the file, created or replaced.
     * @throws UncheckedIOException if it cannot be written.
     */
    public void write(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            channel.write(header.encode());
            final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            for (final PoolEvent e : events)
            {
                if (buffer.remaining() < RecordingFormat.RECORD_BYTES)
                {
                    channel.write(buffer.flip());
                    buffer.clear();
                }
                buffer.putLong(e.timeNanos()).putLong(e.thread()).putLong(e.offset()).putLong(e.length())
                    .putLong(RecordingFormat.info(e.kind(), e.startAlignment(), e.tailBytes()));
            }
            channel.write(buffer.flip());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot write recording " + file, e);
        }
    }

    /**
     * Writes the log as RMM's logging adaptor does, so RMM's replay benchmark can read it. Pointers are
     * offsets plus {@link #CSV_BASE}; times are the recording's start plus each event's time, in seconds.
     *
     * @param file the file, created or replaced.
     * @throws UncheckedIOException if it cannot be written.
     */
    public void writeCsv(final Path file)
    {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            out.write(CSV_HEADER);
            out.newLine();
            for (final PoolEvent e : events)
            {
                final long nanos = header.startEpochNanos() + e.timeNanos();
                final String action = e.kind() == EventKind.ALLOCATE ? "allocate"
                    : e.kind() == EventKind.FREE ? "free" : "allocate failure";
                out.write(e.thread() + "," + nanos / 1_000_000_000L + '.' + String.format("%09d", nanos % 1_000_000_000L)
                    + ',' + action + ",0x" + Long.toHexString(CSV_BASE + Math.max(0, e.offset())) + ',' + e.length()
                    + ",0x0");
                out.newLine();
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot write CSV " + file, e);
        }
    }

    /**
     * Reads an RMM log ({@code Thread,Time,Action,Pointer,Size,Stream}). Offsets are pointers less the lowest
     * pointer rounded down to 2 MiB; the capacity is the highest offset plus its size, rounded up to 2 MiB; a
     * free's length is taken from its allocation when the log's Size column says 0.
     *
     * @param file           the CSV file.
     * @param startAlignment the start alignment to give every request.
     * @param tailBytes      the tail to give every request.
     * @return the log.
     * @throws IllegalArgumentException if a line does not parse, naming the line.
     * @throws UncheckedIOException     if it cannot be read.
     */
    public static EventLog readCsv(final Path file, final int startAlignment, final int tailBytes)
    {
        final List<String[]> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            final String first = in.readLine();
            if (first == null || !first.trim().replace(" ", "").startsWith("Thread,Time,Action,Pointer,Size"))
            {
                throw new IllegalArgumentException("not an RMM log (header " + first + "): file=" + file);
            }
            String line;
            while ((line = in.readLine()) != null)
            {
                if (!line.isBlank())
                {
                    rows.add(line.split(",", -1));
                }
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read CSV " + file, e);
        }
        long lowest = Long.MAX_VALUE;
        double firstTime = Double.NaN;
        for (int i = 0; i < rows.size(); i++)
        {
            final String[] row = rows.get(i);
            if (row.length < 5)
            {
                throw new IllegalArgumentException("line " + (i + 2) + " of " + file + " has " + row.length + " fields");
            }
            if (!row[2].trim().startsWith("allocate failure"))
            {
                lowest = Math.min(lowest, parsePointer(row[3], i, file));
            }
            if (Double.isNaN(firstTime))
            {
                firstTime = Double.parseDouble(row[1].trim());
            }
        }
        final long base = lowest == Long.MAX_VALUE ? 0 : lowest & -(2L << 20);
        final Map<Long, Long> live = new HashMap<>();
        final List<PoolEvent> events = new ArrayList<>(rows.size());
        long top = 0;
        for (int i = 0; i < rows.size(); i++)
        {
            final String[] row = rows.get(i);
            final String action = row[2].trim();
            final long thread = Long.parseLong(row[0].trim());
            final long time = Math.round((Double.parseDouble(row[1].trim()) - firstTime) * 1e9);
            long size = Long.parseLong(row[4].trim());
            if (action.startsWith("allocate failure"))
            {
                events.add(new PoolEvent(EventKind.FAILURE, time, thread, -1, size, startAlignment, tailBytes));
                continue;
            }
            final long offset = parsePointer(row[3], i, file) - base;
            if ("allocate".equals(action))
            {
                live.put(offset, size);
                top = Math.max(top, offset + size);
                events.add(new PoolEvent(EventKind.ALLOCATE, time, thread, offset, size, startAlignment, tailBytes));
            }
            else if ("free".equals(action) || "deallocate".equals(action))
            {
                final Long allocated = live.remove(offset);
                if (size == 0 && allocated != null)
                {
                    size = allocated;
                }
                events.add(new PoolEvent(EventKind.FREE, time, thread, offset, size, startAlignment, tailBytes));
            }
            else
            {
                throw new IllegalArgumentException("line " + (i + 2) + " of " + file + " has an unknown action: " + action);
            }
        }
        final long capacity = Math.max(2L << 20, (top + (2L << 20) - 1) & -(2L << 20));
        final long start = Double.isNaN(firstTime) ? 0 : (long)(firstTime * 1e9);
        return new EventLog(new RecordingFormat.Header(file.getFileName().toString(), capacity, startAlignment, tailBytes,
            start), events);
    }

    private static long parsePointer(final String field, final int row, final Path file)
    {
        final String text = field.trim();
        try
        {
            return text.startsWith("0x") || text.startsWith("0X") ? Long.parseUnsignedLong(text.substring(2), 16)
                : Long.parseLong(text);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("line " + (row + 2) + " of " + file + " has a bad pointer: " + text, e);
        }
    }
}
