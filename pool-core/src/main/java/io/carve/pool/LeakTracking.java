package io.carve.pool;

/**
 * Whether a pool records where segments were allocated, so that leaks name their allocation site. A site
 * is a stack trace taken at allocation: it costs a {@link Throwable} and a map entry, so it is off by
 * default and sampled unless paranoid.
 */
public enum LeakTracking
{
    /** No sites: the hot path allocates nothing. */
    OFF,
    /** The site of about one allocation in {@link #SAMPLING_INTERVAL}. */
    SAMPLED,
    /** The site of every allocation: for hunting a leak, not for production. */
    PARANOID;

    /** One allocation in this many records its site under {@link #SAMPLED}. */
    public static final int SAMPLING_INTERVAL = 128;
}
