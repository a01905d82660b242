package io.carve.pool.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw memory through the Foreign Function &amp; Memory API (final in JDK 22): the whole address space as
 * one unbounded segment for loads, stores, fills and copies, and downcalls into the C library for
 * {@code malloc}, {@code free}, {@code mmap}, {@code munmap} and {@code madvise}.
 * <p>
 * Pointers cross the downcalls as {@code long} (the C ABI passes both in one 64-bit register on the
 * platforms the JDK supports), so no call allocates a segment. The Linux {@code mmap}/{@code madvise}
 * constants below are the same on x86-64 and AArch64; elsewhere reservations fall back to {@code malloc}
 * and nothing is discarded.
 */
final class FfmBackend implements NativeBackend
{
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final long MAP_FAILED = -1L;

    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    /** Every address, for in-place access: bounds are the caller's business, as with Unsafe. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfLong LONG = JAVA_LONG.withByteAlignment(1);

    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final VarHandle ERRNO;
    private static final long ERRNO_SIZE;

    static
    {
        final Linker linker = Linker.nativeLinker();
        final SymbolLookup libc = linker.defaultLookup();
        final Linker.Option errno = Linker.Option.captureCallState("errno");
        MALLOC = linker.downcallHandle(libc.find("malloc").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        FREE = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_LONG));
        if (LINUX)
        {
            MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errno);
            MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
            MADVISE = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), errno);
        }
        else
        {
            MMAP = null;
            MUNMAP = null;
            MADVISE = null;
        }
        ERRNO = Linker.Option.captureStateLayout().varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
        ERRNO_SIZE = Linker.Option.captureStateLayout().byteSize();
    }

    @Override
    public String name()
    {
        return "ffm";
    }

    @Override
    public long allocate(final long size)
    {
        final long address;
        try
        {
            address = (long)MALLOC.invokeExact(size);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("malloc(" + size + ") failed", t);
        }
        if (address == 0)
        {
            throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
        }
        return address;
    }

    @Override
    public void free(final long address)
    {
        try
        {
            FREE.invokeExact(address);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("free(0x" + Long.toHexString(address) + ") failed", t);
        }
    }

    @Override
    public long reserve(final long size)
    {
        if (!LINUX)
        {
            return allocate(size);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(ERRNO_SIZE);
            final long address = (long)MMAP.invokeExact(state, 0L, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (address == MAP_FAILED)
            {
                throw new OutOfMemoryError("mmap(size=" + size + ", MAP_NORESERVE) failed: errno=" + (int)ERRNO.get(state, 0L));
            }
            return address;
        }
        catch (final OutOfMemoryError e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("mmap(size=" + size + ") failed", t);
        }
    }

    @Override
    public void unreserve(final long address, final long size)
    {
        if (!LINUX)
        {
            free(address);
            return;
        }
        call("munmap", MUNMAP, address, size, 0, false);
    }

    @Override
    public boolean canDiscard()
    {
        return LINUX;
    }

    @Override
    public void discard(final long address, final long size)
    {
        if (LINUX)
        {
            call("madvise", MADVISE, address, size, MADV_DONTNEED, true);
        }
    }

    private static void call(final String name, final MethodHandle handle, final long address, final long size,
        final int advice, final boolean withAdvice)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(ERRNO_SIZE);
            final int result = withAdvice
                ? (int)handle.invokeExact(state, address, size, advice)
                : (int)handle.invokeExact(state, address, size);
            if (result != 0)
            {
                throw new IllegalStateException(name + "(0x" + Long.toHexString(address) + ", " + size
                    + ") failed: errno=" + (int)ERRNO.get(state, 0L));
            }
        }
        catch (final IllegalStateException e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(name + "(0x" + Long.toHexString(address) + ", " + size + ") failed", t);
        }
    }

    @Override
    public void setMemory(final long address, final long length, final byte value)
    {
        ALL.asSlice(address, length).fill(value);
    }

    @Override
    public void copyToArray(final long address, final byte[] dst, final int dstOffset, final int length)
    {
        MemorySegment.copy(ALL, JAVA_BYTE, address, dst, dstOffset, length);
    }

    @Override
    public void copyFromArray(final byte[] src, final int srcOffset, final long address, final int length)
    {
        MemorySegment.copy(src, srcOffset, ALL, JAVA_BYTE, address, length);
    }

    @Override
    public long getLong(final long address)
    {
        return ALL.get(LONG, address);
    }

    @Override
    public void putLong(final long address, final long value)
    {
        ALL.set(LONG, address, value);
    }

    @Override
    public byte getByte(final long address)
    {
        return ALL.get(JAVA_BYTE, address);
    }

    @Override
    public void putByte(final long address, final byte value)
    {
        ALL.set(JAVA_BYTE, address, value);
    }
}
