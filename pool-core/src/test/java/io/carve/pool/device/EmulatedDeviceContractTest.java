package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.Nested;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EmulatedDeviceContractTest
{
    @Nested
    class OneBlock extends DeviceAllocatorContract
    {
        private final EmulatedDevice device = EmulatedDevice.builder().api(MemoryApi.RT_MALLOC)
            .pagePolicy(HugePagePolicy.NORMAL_ONLY).build();

        @Override
        protected DeviceAllocator device()
        {
            return device;
        }

        @Override
        protected boolean hostAccessible()
        {
            return false;
        }

        @Override
        protected void assertNothingHeld()
        {
            assertEquals(0, device.liveBlocks());
            assertEquals(0, device.reservedBytes());
        }
    }

    @Nested
    class Growable extends VirtualMemoryDeviceContract
    {
        private final EmulatedDevice device = EmulatedDevice.builder().api(MemoryApi.DVPP_V2).build();

        @Override
        protected VirtualMemoryDevice device()
        {
            return device;
        }

        @Override
        protected void assertNothingHeld()
        {
            assertEquals(0, device.liveRanges());
            assertEquals(0, device.liveHandles());
            assertEquals(0, device.physicalBytes());
            assertEquals(0, device.mappedBytes());
        }

        @Override
        protected boolean hostAccessible()
        {
            return false;
        }
    }
}
