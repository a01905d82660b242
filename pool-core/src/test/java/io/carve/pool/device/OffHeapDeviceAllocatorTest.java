package io.carve.pool.device;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffHeapDeviceAllocatorTest
{
    @Test
    void shouldHandOutAnAlignedHostAccessibleBlock()
    {
        for (final OffHeapDeviceAllocator device : new OffHeapDeviceAllocator[] {
            OffHeapDeviceAllocator.prefaulting(), OffHeapDeviceAllocator.lazy()})
        {
            try (DeviceBlock block = device.allocate(1 << 20, 4096))
            {
                assertEquals(0, block.address() & 4095, "base aligned");
                assertEquals(1 << 20, block.size());
                assertEquals(1 << 20, block.reservedSize());
                assertTrue(block.isHostAccessible());
            }
        }
        assertTrue(OffHeapDeviceAllocator.prefaulting().prefaults());
        assertFalse(OffHeapDeviceAllocator.lazy().prefaults());
    }

    @Test
    void shouldFillAndCopyThroughTheMemoryOperations()
    {
        try (DeviceBlock block = OffHeapDeviceAllocator.prefaulting().allocate(8192, 128))
        {
            block.fill(block.address() + 100, 50, (byte)0x5A);
            final byte[] back = new byte[52];
            block.copyToHost(block.address() + 99, back, 0, 52);
            for (int i = 1; i <= 50; i++)
            {
                assertEquals(0x5A, back[i]);
            }
            final byte[] data = {1, 2, 3, 4};
            block.copyFromHost(data, 0, block.address() + 8188, 4);
            final byte[] read = new byte[4];
            block.copyToHost(block.address() + 8188, read, 0, 4);
            assertArrayEquals(data, read);
        }
    }

    @Test
    void shouldRefuseRangesOutsideTheBlock()
    {
        try (DeviceBlock block = OffHeapDeviceAllocator.lazy().allocate(4096, 64))
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
        final DeviceBlock block = OffHeapDeviceAllocator.lazy().allocate(4096, 64);
        block.close();
        block.close();
        assertThrows(IllegalStateException.class, () -> block.fill(block.address(), 1, (byte)0));
    }

    @Test
    void shouldRejectBadArguments()
    {
        final OffHeapDeviceAllocator device = OffHeapDeviceAllocator.lazy();
        assertEquals("size must be positive: size=0",
            assertThrows(IllegalArgumentException.class, () -> device.allocate(0, 64)).getMessage());
        assertEquals("alignment must be a power of 2: alignment=96",
            assertThrows(IllegalArgumentException.class, () -> device.allocate(4096, 96)).getMessage());
    }
}
