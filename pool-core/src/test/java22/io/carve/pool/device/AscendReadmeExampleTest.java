package io.carve.pool.device;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles and runs the example of the README's "Running on an Ascend host" exactly as written, with the
 * stand-in named by {@code -Dcarve.acl.library} as a user would name the real runtime.
 */
class AscendReadmeExampleTest
{
    private static final Pattern EXAMPLE =
        Pattern.compile("## Running on an Ascend host.*?### Example\\s+```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void shouldCompileAndRunTheAscendExampleAgainstTheStandIn(@TempDir final Path dir) throws Exception
    {
        final Matcher matcher = EXAMPLE.matcher(Files.readString(Path.of("..", "README.md")));
        assertTrue(matcher.find(), "README.md has no java block under '### Example' of '## Running on an Ascend host'");
        final Path source = dir.resolve("AscendExample.java");
        Files.writeString(source, matcher.group(1));
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK is needed to compile the README example");
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics,
            "-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), source.toString());
        assertEquals(0, status, () -> "the README example does not compile:\n" + diagnostics);

        final String before = System.getProperty(AscendDevice.LIBRARY_PROPERTY);
        final PrintStream out = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()))
        {
            System.setProperty(AscendDevice.LIBRARY_PROPERTY, StandIn.LIBRARY.toString());
            final Method main = loader.loadClass("AscendExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object)new String[0]);
        }
        finally
        {
            System.setOut(out);
            if (before == null)
            {
                System.clearProperty(AscendDevice.LIBRARY_PROPERTY);
            }
            else
            {
                System.setProperty(AscendDevice.LIBRARY_PROPERTY, before);
            }
        }
        assertEquals("ascend0-dvpp_v1-huge_first: 1 allocation", printed.toString(StandardCharsets.UTF_8).trim());
        assertEquals(0, StandIn.live(0), "the example gave its block back");
    }
}
