package io.carve.pool.bench;

import io.carve.pool.bench.workload.MediaSizes;
import io.carve.pool.bench.workload.Workloads;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job's command line, parsed and checked; {@link #USAGE} is what {@code --help} prints.
 */
public final class Options
{
    /** The help text. */
    public static final String USAGE = String.join("\n",
        "Usage: java -jar carve-bench.jar [options]",
        "       java -jar carve-bench.jar jmh [JMH options]     (runs the JMH suite, e.g. jmh -l, jmh Fixed -prof gc)",
        "",
        "Replays the built-in workloads against every Carve policy (guards off and on) and every peer in one run,",
        "prints a side-by-side table and writes an HTML report with SVG charts plus results.csv and results.json.",
        "",
        "Options:",
        "  --workloads LIST   comma-separated, from: fixed, media, random, scaling, touch (default: all)",
        "  --policies LIST    Carve policies or variants, e.g. tlsf,buddy or tlsf+guards; 'none' for no Carve",
        "                     (default: every registered policy: " + String.join(", ", Policies.names()) + ")",
        "  --guards MODE      off, on or both: which guard variants of each listed policy (default: both)",
        "  --peers LIST       from: " + String.join(", ", Allocators.PEERS) + "; 'none' for no peer (default: all)",
        "  --sizes LIST       byte sizes of the fixed workload (default: " + MediaSizes.FRAME_1080P + ",65536)",
        "  --live LIST        live-segment counts of the scaling workload (default: 10,100,1000,10000,100000)",
        "  --events N         events per media, random and fixed trace (even; default 16384, quick 4096)",
        "  --touch-events N   events of the touching trace (even; default 1024, quick 256)",
        "  --repeat N         timed replays per allocator, the median is reported (default 5, quick 3)",
        "  --seed N           the workloads' seed (default 42)",
        "  --cache MODE       on or off: Carve's size-class cache in front of the policy (default off, so that the",
        "                     figures are the policy's own)",
        "  --out DIR          output folder (default carve-report)",
        "  --quick            small traces and fewer repeats: a smoke run of under a minute",
        "  --help             this text",
        "",
        "Progress is shown on stderr; the table goes to stdout.");

    List<String> workloads = new ArrayList<>(Workloads.ALL);
    List<String> allocators = new ArrayList<>();
    long[] sizes = {MediaSizes.FRAME_1080P, 64L << 10};
    int[] live = {10, 100, 1000, 10000, 100000};
    int events = 16384;
    int touchEvents = 1024;
    int repeat = 5;
    long seed = 42;
    boolean cache;
    Path out = Paths.get("carve-report");
    boolean quick;
    boolean help;

    private Options()
    {
    }

    /**
     * Parses the arguments.
     *
     * @param args the command line.
     * @return the options.
     * @throws IllegalArgumentException naming the bad flag or value.
     */
    public static Options parse(final String... args)
    {
        final Options o = new Options();
        List<String> policies = null;
        List<String> peers = new ArrayList<>(Allocators.PEERS);
        String guards = "both";
        boolean eventsSet = false;
        boolean touchSet = false;
        boolean repeatSet = false;
        boolean liveSet = false;
        for (int i = 0; i < args.length; i++)
        {
            final String flag = args[i];
            switch (flag)
            {
                case "--help":
                case "-h":
                    o.help = true;
                    break;
                case "--quick":
                    o.quick = true;
                    break;
                case "--workloads":
                    o.workloads = list(flag, value(args, ++i, flag));
                    for (final String w : o.workloads)
                    {
                        if (!Workloads.ALL.contains(w))
                        {
                            throw new IllegalArgumentException("--workloads: unknown workload '" + w + "', known: "
                                + String.join(", ", Workloads.ALL));
                        }
                    }
                    break;
                case "--policies":
                    policies = noneOr(list(flag, value(args, ++i, flag)));
                    for (final String p : policies)
                    {
                        if (!Policies.isVariant(p))
                        {
                            throw new IllegalArgumentException("--policies: unknown policy '" + p + "', registered: "
                                + String.join(", ", Policies.names()));
                        }
                    }
                    break;
                case "--guards":
                    guards = value(args, ++i, flag);
                    if (!List.of("off", "on", "both").contains(guards))
                    {
                        throw new IllegalArgumentException("--guards must be off, on or both: --guards " + guards);
                    }
                    break;
                case "--peers":
                    peers = noneOr(list(flag, value(args, ++i, flag)));
                    for (final String p : peers)
                    {
                        if (!Allocators.PEERS.contains(p))
                        {
                            throw new IllegalArgumentException("--peers: unknown peer '" + p + "', known: "
                                + String.join(", ", Allocators.PEERS));
                        }
                    }
                    break;
                case "--sizes":
                    o.sizes = list(flag, value(args, ++i, flag)).stream()
                        .mapToLong(s -> positiveLong(flag, s)).toArray();
                    break;
                case "--live":
                    o.live = list(flag, value(args, ++i, flag)).stream()
                        .mapToInt(s -> (int)Math.min(Integer.MAX_VALUE, positiveLong(flag, s))).toArray();
                    liveSet = true;
                    break;
                case "--events":
                    o.events = evenCount(flag, value(args, ++i, flag));
                    eventsSet = true;
                    break;
                case "--touch-events":
                    o.touchEvents = evenCount(flag, value(args, ++i, flag));
                    touchSet = true;
                    break;
                case "--repeat":
                    o.repeat = (int)Math.min(1000, positiveLong(flag, value(args, ++i, flag)));
                    repeatSet = true;
                    break;
                case "--seed":
                    final String seed = value(args, ++i, flag);
                    try
                    {
                        o.seed = Long.parseLong(seed);
                    }
                    catch (final NumberFormatException e)
                    {
                        throw new IllegalArgumentException("--seed must be an integer: --seed " + seed);
                    }
                    break;
                case "--cache":
                    final String cache = value(args, ++i, flag);
                    if (!"on".equals(cache) && !"off".equals(cache))
                    {
                        throw new IllegalArgumentException("--cache must be on or off: --cache " + cache);
                    }
                    o.cache = "on".equals(cache);
                    break;
                case "--out":
                    o.out = Paths.get(value(args, ++i, flag));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + flag + " (see --help)");
            }
        }
        if (o.quick)
        {
            o.events = eventsSet ? o.events : 4096;
            o.touchEvents = touchSet ? o.touchEvents : 256;
            o.repeat = repeatSet ? o.repeat : 3;
            o.live = liveSet ? o.live : new int[] {10, 1000, 10000};
        }
        for (final String p : policies == null ? Policies.names() : policies)
        {
            if (p.endsWith(Policies.GUARDS_SUFFIX))
            {
                add(o.allocators, p);
                continue;
            }
            if (!"on".equals(guards))
            {
                add(o.allocators, p);
            }
            if (!"off".equals(guards))
            {
                add(o.allocators, p + Policies.GUARDS_SUFFIX);
            }
        }
        for (final String p : peers)
        {
            add(o.allocators, p);
        }
        if (o.allocators.isEmpty())
        {
            throw new IllegalArgumentException("nothing to run: --policies and --peers select no allocator");
        }
        return o;
    }

    private static void add(final List<String> list, final String name)
    {
        if (!list.contains(name))
        {
            list.add(name);
        }
    }

    private static String value(final String[] args, final int i, final String flag)
    {
        if (i >= args.length || args[i].startsWith("--"))
        {
            throw new IllegalArgumentException(flag + " needs a value (see --help)");
        }
        return args[i];
    }

    private static List<String> list(final String flag, final String value)
    {
        final List<String> items = new ArrayList<>();
        for (final String item : value.split(","))
        {
            if (!item.isBlank())
            {
                items.add(item.trim());
            }
        }
        if (items.isEmpty())
        {
            throw new IllegalArgumentException(flag + " needs at least one item: " + flag + " '" + value + "'");
        }
        return items;
    }

    private static List<String> noneOr(final List<String> items)
    {
        return items.size() == 1 && "none".equals(items.get(0)) ? new ArrayList<>() : items;
    }

    private static long positiveLong(final String flag, final String value)
    {
        try
        {
            final long n = Long.parseLong(value.replace("_", ""));
            if (n > 0)
            {
                return n;
            }
        }
        catch (final NumberFormatException e)
        {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a positive integer: " + flag + " " + value);
    }

    private static int evenCount(final String flag, final String value)
    {
        final long n = positiveLong(flag, value);
        if (n < 2 || (n & 1) != 0 || n > 1 << 26)
        {
            throw new IllegalArgumentException(flag + " must be even, in [2, 2^26]: " + flag + " " + value);
        }
        return (int)n;
    }

    /** @return the selected workloads. */
    public List<String> workloads()
    {
        return workloads;
    }

    /** @return the selected allocators: Carve variants then peers. */
    public List<String> allocators()
    {
        return allocators;
    }

    /** @return whether --help was given. */
    public boolean help()
    {
        return help;
    }

    /** @return the output folder. */
    public Path out()
    {
        return out;
    }

    @Override
    public String toString()
    {
        return "workloads=" + workloads + ", allocators=" + allocators + ", sizes=" + java.util.Arrays.toString(sizes)
            + ", live=" + java.util.Arrays.toString(live) + ", events=" + events + ", touchEvents=" + touchEvents
            + ", repeat=" + repeat + ", seed=" + seed + ", carveSizeClassCache=" + (cache ? "on" : "off")
            + (quick ? ", quick" : "");
    }
}
