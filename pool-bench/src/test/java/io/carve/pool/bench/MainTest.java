package io.carve.pool.bench;

import io.carve.pool.policy.FirstFitPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldExplainEveryFlagOnHelp()
    {
        assertEquals(0, run("--help"));
        final String help = out.toString(StandardCharsets.UTF_8);
        for (final String flag : new String[] {"--workloads", "--policies", "--peers", "--sizes", "--out", "--seed",
            "--events", "--quick", "jmh"})
        {
            assertTrue(help.contains(flag), flag);
        }
    }

    @Test
    void shouldRejectAnUnknownFlagWithStatus2()
    {
        assertEquals(2, run("--frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option: --frobnicate"));
    }

    @Test
    void shouldRejectBadValuesNamingTheFlag()
    {
        assertEquals(2, run("--events", "101"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--events must be even"));
        assertEquals(2, run("--workloads", "video"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown workload 'video'"));
        assertEquals(2, run("--policies", "nope"));
        assertEquals(2, run("--out"));
        assertEquals(2, run("--policies", "none", "--peers", "none"));
    }

    @Test
    void shouldSelectGuardVariantsOfTheListedPolicies()
    {
        final Options options = Options.parse("--policies", FirstFitPolicy.NAME, "--guards", "on", "--peers", "malloc");
        assertEquals(java.util.List.of("first-fit+guards", "malloc"), options.allocators());
    }

    @Test
    void shouldRunASmallJobAndWriteTheReport(@TempDir final Path dir)
    {
        assertEquals(0, run("--quick", "--workloads", "media", "--events", "200", "--repeat", "1",
            "--policies", FirstFitPolicy.NAME, "--guards", "off", "--peers", "malloc", "--out", dir.toString()),
            err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("first-fit"));
        assertTrue(Files.exists(dir.resolve("index.html")));
        assertTrue(Files.exists(dir.resolve("results.csv")));
        assertTrue(Files.exists(dir.resolve("results.json")));
    }
}
