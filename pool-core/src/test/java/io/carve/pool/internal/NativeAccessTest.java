package io.carve.pool.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NativeAccessTest
{
    private static final long MB = 1L << 20;

    /**
     * The proof that a JDK 22+ run exercises the multi-release part of the jar: a JVM that read the classes
     * from target/classes, or a jar without versions/22, would report "unsafe" here.
     */
    @Test
    void shouldUseTheForeignMemoryApiFromJdk22OnAndUnsafeBefore()
    {
        final String expected = Runtime.version().feature() >= 22 ? "ffm" : "unsafe";
        assertEquals(expected, NativeAccess.implementation(), "running on JDK " + Runtime.version());
    }

    /**
     * The build runs the library's tests on JDK 22+ without {@code --add-exports}, as a user on a modern JDK
     * would run the library: every pool-core test then proves it needs no export there.
     */
    @Test
    void shouldRunWithoutTheAddExportsFlagFromJdk22On()
    {
        final boolean exported = Object.class.getModule().isExported("jdk.internal.misc", NativeAccessTest.class.getModule());
        if (Runtime.version().feature() >= 22)
        {
            assertFalse(exported, "the JDK 22+ build runs the library's tests without --add-exports");
            assertEquals("ffm", NativeAccess.implementation());
        }
        else
        {
            assertEquals(true, exported, "before JDK 22 the Unsafe implementation needs the Agrona export");
        }
    }

    @Test
    void shouldReadBackWhatItWritesInPlace()
    {
        final long address = NativeAccess.allocate(64);
        try
        {
            NativeAccess.setMemory(address, 64, (byte)0x11);
            NativeAccess.putLong(address + 3, 0x0102030405060708L);
            NativeAccess.putByte(address + 63, (byte)0x7F);
            assertEquals(0x0102030405060708L, NativeAccess.getLong(address + 3), "unaligned long");
            assertEquals((byte)0x11, NativeAccess.getByte(address + 2));
            assertEquals((byte)0x7F, NativeAccess.getByte(address + 63));
            final byte[] back = new byte[4];
            NativeAccess.copyToArray(address + 62, back, 1, 2);
            assertArrayEquals(new byte[] {0, 0x11, 0x7F, 0}, back);
            NativeAccess.copyFromArray(new byte[] {9, 8, 7}, 1, address, 2);
            assertEquals((byte)8, NativeAccess.getByte(address));
            assertEquals((byte)7, NativeAccess.getByte(address + 1));
        }
        finally
        {
            NativeAccess.free(address);
        }
    }

    @Test
    void shouldRefuseArrayRangesOutsideTheArrayAndNonPositiveSizes()
    {
        final long address = NativeAccess.allocate(16);
        try
        {
            assertThrows(IndexOutOfBoundsException.class, () -> NativeAccess.copyToArray(address, new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> NativeAccess.copyFromArray(new byte[4], -1, address, 1));
        }
        finally
        {
            NativeAccess.free(address);
        }
        assertEquals("size must be positive: size=0",
            assertThrows(IllegalArgumentException.class, () -> NativeAccess.allocate(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NativeAccess.reserve(-1));
    }

    @Test
    void shouldReserveLazilyAndDiscardWhereTheJdkAllows()
    {
        final long size = 8 * MB;
        final long address = NativeAccess.reserve(size);
        try
        {
            final long page = (address + 4095) & -4096L;
            NativeAccess.setMemory(page, 4096, (byte)0x5A);
            assertEquals((byte)0x5A, NativeAccess.getByte(page + 100));
            NativeAccess.discard(page, 4096);
            if (NativeAccess.canDiscard())
            {
                assertEquals((byte)0, NativeAccess.getByte(page + 100), "a discarded page reads as zero");
            }
            else
            {
                assertEquals((byte)0x5A, NativeAccess.getByte(page + 100), "without madvise the page keeps its bytes");
            }
            NativeAccess.putLong(page + 8, -1L);
            assertNotEquals(0L, NativeAccess.getLong(page + 8), "the range stays usable");
        }
        finally
        {
            NativeAccess.unreserve(address, size);
        }
    }

    @Test
    void shouldDiscardOnlyOnLinuxUnderTheForeignMemoryApi()
    {
        final boolean expected = "ffm".equals(NativeAccess.implementation())
            && System.getProperty("os.name", "").startsWith("Linux");
        assertEquals(expected, NativeAccess.canDiscard());
    }
}
