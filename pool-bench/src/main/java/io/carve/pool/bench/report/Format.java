package io.carve.pool.bench.report;

import java.util.Locale;

/** Number formatting shared by the table and the report: NaN and -1 print as "n/a". */
final class Format
{
    private Format()
    {
    }

    static String ns(final double ns)
    {
        if (Double.isNaN(ns))
        {
            return "n/a";
        }
        return ns >= 100 ? String.format(Locale.ROOT, "%,.0f", ns) : String.format(Locale.ROOT, "%.1f", ns);
    }

    static String ratio(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }

    static String percent(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", value * 100);
    }

    static String mib(final long bytes)
    {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    static String number(final double value)
    {
        return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.6g", value);
    }
}
