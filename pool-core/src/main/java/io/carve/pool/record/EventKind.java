package io.carve.pool.record;

/** What a recorded event is. */
public enum EventKind
{
    /** A segment was carved: its offset, requested length and profile. */
    ALLOCATE(1),
    /** A segment was freed: its offset and requested length. */
    FREE(2),
    /** An allocation found no room: its requested length and profile; no offset. */
    FAILURE(3);

    private final int code;

    EventKind(final int code)
    {
        this.code = code;
    }

    /**
     * The kind's code in a recording's record (see {@link RecordingFormat}).
     *
     * @return 1, 2 or 3.
     */
    public int code()
    {
        return code;
    }

    /**
     * The kind of a code.
     *
     * @param code a record's kind code.
     * @return the kind.
     * @throws IllegalArgumentException if the code names no kind.
     */
    public static EventKind of(final int code)
    {
        for (final EventKind kind : values())
        {
            if (kind.code == code)
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("no event kind has code " + code);
    }
}
