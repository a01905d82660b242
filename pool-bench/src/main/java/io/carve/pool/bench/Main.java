package io.carve.pool.bench;

import io.carve.pool.bench.report.DataWriter;
import io.carve.pool.bench.report.HtmlReport;
import io.carve.pool.bench.report.RunResult;
import io.carve.pool.bench.report.TextTable;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The main job: {@code java -jar carve-bench.jar [options]} replays the built-in workloads against every
 * policy and peer, prints the table and writes the report; {@code java -jar carve-bench.jar jmh ...} runs the
 * JMH suite. See {@link Options#USAGE}.
 */
public final class Main
{
    private Main()
    {
    }

    /**
     * Runs the main job and exits with its status (0 ok, 2 bad arguments, 1 failure).
     *
     * @param args the command line.
     * @throws Exception from the JMH runner.
     */
    public static void main(final String[] args) throws Exception
    {
        nettyAtItsBest();
        if (args.length > 0 && "jmh".equals(args[0]))
        {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        final int status = run(args, System.out, System.err);
        if (status != 0)
        {
            System.exit(status);
        }
    }

    /**
     * Netty reads these once, when its classes load: set them before any Netty class loads, unless the
     * command line set them. Leak detection samples buffers and allocates: off, as in a benchmark of the
     * allocator at its best.
     */
    static void nettyAtItsBest()
    {
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null)
        {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null)
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }

    /**
     * Runs the main job.
     *
     * @param args the command line.
     * @param out  where the table goes.
     * @param err  where progress and errors go.
     * @return the exit status: 0 ok, 2 bad arguments, 1 failure.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("error: " + e.getMessage());
            err.println("Try --help.");
            return 2;
        }
        if (options.help())
        {
            out.println(Options.USAGE);
            return 0;
        }
        nettyAtItsBest();
        try
        {
            final RunResult run = new MainJob(options, new Progress(err)).run();
            out.print(TextTable.render(run));
            final Path dir = options.out();
            final Path index = HtmlReport.write(run, dir);
            DataWriter.write(run, dir);
            out.println("Report: " + index.toAbsolutePath() + " (with results.csv and results.json)");
            return 0;
        }
        catch (final Exception e)
        {
            err.println();
            err.println("error: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
