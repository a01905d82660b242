package io.carve.pool.bench;

import java.io.PrintStream;

/**
 * The one-line progress display on stderr: each update rewrites the line.
 */
final class Progress
{
    private final PrintStream err;
    private final long start = System.nanoTime();
    private int width;

    Progress(final PrintStream err)
    {
        this.err = err;
    }

    void show(final int step, final int steps, final String what)
    {
        final String line = String.format("[%3d/%d %4ds] %s", step, steps,
            (System.nanoTime() - start) / 1_000_000_000L, what);
        err.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
    }

    void done()
    {
        err.print('\r' + " ".repeat(width) + '\r');
        err.flush();
    }
}
