package io.carve.pool.device;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the C stand-in of the Ascend runtime ({@code acl_standin.c}, a test resource) with the machine's C
 * compiler into {@code target/acl-standin/}, once per source version, and gives its path. Tests that need
 * it call {@link #library()}; where no C compiler exists the test is aborted with an assumption that says
 * so (the only reason to skip).
 * <p>
 * The compiler is {@code $CC} when set, else {@code cc}, else {@code gcc}. Published in pool-core's test-jar so
 * other modules can run pools over the binding too.
 */
public final class AclStandIn
{
    /** The C source, as a class-path resource. */
    public static final String SOURCE = "/io/carve/pool/device/acl_standin.c";

    private static Path built;

    private AclStandIn()
    {
    }

    /**
     * The stand-in library, built on first use.
     *
     * @return the path of {@code libascendcl.so}.
     */
    public static synchronized Path library()
    {
        if (built == null)
        {
            built = build();
        }
        return built;
    }

    private static Path build()
    {
        final byte[] source;
        try (InputStream in = AclStandIn.class.getResourceAsStream(SOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("the stand-in's source is not on the class path: " + SOURCE);
            }
            source = in.readAllBytes();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        final String hash = sha256(source).substring(0, 16);
        final Path dir = Path.of("target", "acl-standin", hash).toAbsolutePath();
        final Path library = dir.resolve("libascendcl.so");
        if (Files.isRegularFile(library))
        {
            return library;
        }
        final String compiler = findCompiler();
        Assumptions.assumeTrue(compiler != null,
            "no C compiler ($CC, cc or gcc) on PATH: the C stand-in of the Ascend runtime cannot be built, so the "
                + "tests over the FFM binding cannot run");
        try
        {
            Files.createDirectories(dir);
            final Path c = dir.resolve("acl_standin.c");
            Files.write(c, source);
            final Path partial = Files.createTempFile(dir, "libascendcl", ".so.part");
            final List<String> command = new ArrayList<>(List.of(compiler, "-shared", "-fPIC", "-O2", "-Wall",
                "-o", partial.toString(), c.toString(), "-lpthread"));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                throw new IllegalStateException("building the stand-in failed: " + String.join(" ", command) + "\n" + output);
            }
            Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return library;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the stand-in", e);
        }
    }

    private static String findCompiler()
    {
        final List<String> candidates = new ArrayList<>();
        final String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank())
        {
            candidates.add(cc.trim());
        }
        candidates.add("cc");
        candidates.add("gcc");
        for (final String candidate : candidates)
        {
            try
            {
                final Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
                {
                    return candidate;
                }
            }
            catch (final IOException notThere)
            {
                // try the next one
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static String sha256(final byte[] bytes)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
