package io.carve.pool.device;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link DeviceAllocator} (the one-block SPI), run against every implementation.
 */
public abstract class DeviceAllocatorContract
{
    /**
     * The device under test; the same device on every call within a test.
     *
     * @return the device.
     */
    protected abstract DeviceAllocator device();

    /**
     * Whether the device's blocks are host memory.
     *
     * @return the expected {@link DeviceMemory#isHostAccessible()}.
     */
    protected abstract boolean hostAccessible();

    /**
     * Checks that the device holds no block any more (after every test).
     */
    protected abstract void assertNothingHeld();

    @AfterEach
    void nothingHeld()
    {
        assertNothingHeld();
    }

    @Test
    void shouldHandOutABlockOfTheSizeAskedForAtTheAlignmentAskedFor()
    {
        for (final long alignment : new long[] {64, 128, 4096})
        {
            try (DeviceBlock block = device().allocate(3_110_400, alignment))
            {
                assertEquals(0, block.address() % alignment, "alignment " + alignment + ": " + block);
                assertTrue(block.address() != 0);
                assertEquals(3_110_400, block.size());
                assertTrue(block.reservedSize() >= block.size());
                assertEquals(hostAccessible(), block.isHostAccessible());
            }
        }
    }

    @Test
    void shouldFillAndCopyThroughTheMemoryOperations()
    {
        try (DeviceBlock block = device().allocate(8192, 128))
        {
            block.fill(block.address(), 8192, (byte)0);
            block.fill(block.address() + 100, 50, (byte)0x5A);
            final byte[] back = new byte[52];
            block.copyToHost(block.address() + 99, back, 0, 52);
            assertEquals(0, back[0]);
            for (int i = 1; i <= 50; i++)
            {
                assertEquals(0x5A, back[i]);
            }
            assertEquals(0, back[51]);
            final byte[] data = {1, 2, 3, 4};
            block.copyFromHost(data, 0, block.address() + 8188, 4);
            final byte[] read = new byte[6];
            block.copyToHost(block.address() + 8188, read, 2, 4);
            assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 4}, read);
        }
    }

    @Test
    void shouldRefuseRangesOutsideTheBlock()
    {
        try (DeviceBlock block = device().allocate(4096, 64))
        {
            final byte[] buffer = new byte[16];
            assertThrows(IndexOutOfBoundsException.class, () -> block.fill(block.address() + 4090, 7, (byte)1));
            assertThrows(IndexOutOfBoundsException.class, () -> block.fill(block.address() - 1, 1, (byte)1));
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyToHost(block.address() + 4095, buffer, 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyToHost(block.address(), buffer, 10, 7));
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyFromHost(buffer, 0, block.address() + 4096, 1));
        }
    }

    @Test
    void shouldCloseOnceAndRefuseOperationsAfterwards()
    {
        final DeviceBlock block = device().allocate(4096, 64);
        block.close();
        block.close();
        assertThrows(IllegalStateException.class, () -> block.fill(block.address(), 1, (byte)0));
        assertThrows(IllegalStateException.class, () -> block.copyToHost(block.address(), new byte[1], 0, 1));
    }

    @Test
    void shouldRejectBadArgumentsAndHoldNothing()
    {
        assertEquals("size must be positive: size=0",
            assertThrows(IllegalArgumentException.class, () -> device().allocate(0, 64)).getMessage());
        assertEquals("alignment must be a power of 2: alignment=96",
            assertThrows(IllegalArgumentException.class, () -> device().allocate(4096, 96)).getMessage());
    }

    @Test
    void shouldHandOutDisjointBlocks()
    {
        try (DeviceBlock a = device().allocate(1 << 20, 128); DeviceBlock b = device().allocate(1 << 20, 128))
        {
            assertTrue(a.address() + a.size() <= b.address() || b.address() + b.size() <= a.address(),
                a + " and " + b + " overlap");
            a.fill(a.address(), a.size(), (byte)1);
            b.fill(b.address(), b.size(), (byte)2);
            final byte[] one = new byte[1];
            a.copyToHost(a.address() + a.size() - 1, one, 0, 1);
            assertEquals(1, one[0]);
        }
    }
}
