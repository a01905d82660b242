package io.carve.pool.device;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C stand-in seen from the tests: its path, a device over it, its control functions (failure injection,
 * live allocations, call counts) and raw downcalls of the vendor symbols, to check the stand-in's own rules
 * without the binding's Java checks in front. The library is loaded once per JVM (dlopen shares it with the
 * binding, so both see one state).
 */
final class StandIn
{
    static final Path LIBRARY = AclStandIn.library();
    static final int MALLOC = 1;
    static final int HOST = 2;
    static final int DVPP = 3;
    static final int MPI = 4;
    static final int RANGES = 5;
    static final int HANDLES = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Arena ARENA = Arena.global();
    private static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(LIBRARY, ARENA);
    private static final MethodHandle FAIL = handle("standin_fail", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LIVE = handle("standin_live", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle MAPPED = handle("standin_mapped_bytes", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle CALLS = handle("standin_calls", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle CAPACITY = handle("standin_set_capacity", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG));

    private StandIn()
    {
    }

    static MethodHandle handle(final String symbol, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LOOKUP.find(symbol).orElseThrow(), descriptor);
    }

    static AscendDevice.Builder device()
    {
        return AscendDevice.builder().library(LIBRARY);
    }

    /** The {@code nth} next call of {@code call} returns {@code code}. */
    static void fail(final VendorCall call, final long nth, final int code)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int rc = (int)FAIL.invokeExact(arena.allocateFrom(call.cName()), nth, code);
            if (rc != 0)
            {
                throw new IllegalStateException("too many injected failures");
            }
        }
        catch (final RuntimeException e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** Live allocations of a kind ({@link #MALLOC}, ...), or of all kinds for 0. */
    static long live(final int kind)
    {
        try
        {
            return (long)LIVE.invokeExact(kind);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long mappedBytes()
    {
        try
        {
            return (long)MAPPED.invokeExact();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static long calls(final VendorCall call)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (long)CALLS.invokeExact(arena.allocateFrom(call.cName()));
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static void capacity(final long total, final long huge)
    {
        try
        {
            CAPACITY.invokeExact(total, huge);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    static MemorySegment symbol(final String name)
    {
        return LOOKUP.find(name).orElseThrow();
    }
}
