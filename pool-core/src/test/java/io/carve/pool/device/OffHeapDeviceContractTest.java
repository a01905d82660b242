package io.carve.pool.device;

import io.carve.pool.internal.NativeAccess;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OffHeapDeviceContractTest
{
    @Nested
    class OneBlock extends DeviceAllocatorContract
    {
        @Override
        protected DeviceAllocator device()
        {
            return OffHeapDeviceAllocator.prefaulting();
        }

        @Override
        protected boolean hostAccessible()
        {
            return true;
        }

        @Override
        protected void assertNothingHeld()
        {
            // Host blocks are plain malloc: nothing to count.
        }
    }

    @Nested
    class Growable extends VirtualMemoryDeviceContract
    {
        @Override
        protected VirtualMemoryDevice device()
        {
            return OffHeapDeviceAllocator.prefaulting();
        }

        @Override
        protected void assertNothingHeld()
        {
            // Ranges are released by the contract's own clean-up; host handles hold no memory.
        }

        @Override
        protected boolean hostAccessible()
        {
            return true;
        }

        @Test
        void shouldGiveUnmappedPagesBackWhereTheJdkAllows()
        {
            final VirtualMemoryDevice device = device();
            final long g = device.granularity();
            try (ReservedRange range = device.reserve(2 * g, 128))
            {
                final PhysicalHandle handle = device.allocatePhysical(g);
                range.map(0, handle);
                range.fill(range.address(), g, (byte)0x42);
                range.unmap(0);
                range.map(0, handle);
                final byte[] back = new byte[1];
                range.copyToHost(range.address() + 12345, back, 0, 1);
                // madvise(MADV_DONTNEED) on JDK 22+ (Linux): the remapped granule is fresh zero pages.
                assertEquals(OffHeapDeviceAllocator.prefaulting().discardsUnmappedPages() ? 0 : 0x42, back[0]);
                range.unmap(0);
                handle.close();
            }
            assertEquals(NativeAccess.canDiscard(), OffHeapDeviceAllocator.lazy().discardsUnmappedPages());
        }
    }
}
