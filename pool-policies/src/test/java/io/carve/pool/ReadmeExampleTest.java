package io.carve.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compiles and runs the README's usage example exactly as written, so the example cannot go stale. */
class ReadmeExampleTest
{
    private static final Pattern USAGE_BLOCK = Pattern.compile("## Usage\\s+```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void shouldCompileAndRunTheReadmeExample(@TempDir final Path dir) throws Exception
    {
        final Path readme = Paths.get("..", "README.md");
        final Matcher matcher = USAGE_BLOCK.matcher(Files.readString(readme));
        assertTrue(matcher.find(), "README.md has no java block under '## Usage'");
        final Path source = dir.resolve("Example.java");
        Files.writeString(source, matcher.group(1));

        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK is needed to compile the README example");
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics,
            "-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), source.toString());
        assertEquals(0, status, () -> "the README example does not compile:\n" + diagnostics);

        final PrintStream out = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()))
        {
            final Method main = loader.loadClass("Example").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object)new String[0]);
        }
        finally
        {
            System.setOut(out);
        }
        final String output = printed.toString(StandardCharsets.UTF_8).trim();
        assertTrue(output.matches("2 allocations, peak \\d+ bytes held"), output);
        final long peak = Long.parseLong(output.replaceAll("\\D+", " ").trim().split(" ")[1]);
        assertTrue(peak >= 3_110_432, "peak holds at least the frame: " + output);
    }
}
