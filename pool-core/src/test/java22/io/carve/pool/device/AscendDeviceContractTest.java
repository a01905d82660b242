package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.Nested;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The device contracts of the off-heap and emulated devices, run over the FFM binding and the C stand-in. */
class AscendDeviceContractTest
{
    abstract static class OneBlock extends DeviceAllocatorContract
    {
        private final AscendDevice device = StandIn.device().api(api()).build();

        abstract MemoryApi api();

        @Override
        protected DeviceAllocator device()
        {
            return device;
        }

        @Override
        protected boolean hostAccessible()
        {
            return api() == MemoryApi.RT_MALLOC_HOST;
        }

        @Override
        protected void assertNothingHeld()
        {
            assertEquals(0, device.liveBlocks());
            assertEquals(0, StandIn.live(0), "the stand-in holds nothing");
        }
    }

    @Nested
    class RuntimeMalloc extends OneBlock
    {
        @Override
        MemoryApi api()
        {
            return MemoryApi.RT_MALLOC;
        }
    }

    @Nested
    class HostMalloc extends OneBlock
    {
        @Override
        MemoryApi api()
        {
            return MemoryApi.RT_MALLOC_HOST;
        }
    }

    @Nested
    class DvppV1 extends OneBlock
    {
        @Override
        MemoryApi api()
        {
            return MemoryApi.DVPP_V1;
        }
    }

    @Nested
    class DvppV2 extends OneBlock
    {
        @Override
        MemoryApi api()
        {
            return MemoryApi.DVPP_V2;
        }
    }

    @Nested
    class Growable extends VirtualMemoryDeviceContract
    {
        private final AscendDevice device = StandIn.device().build();

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
            assertEquals(0, StandIn.live(0), "the stand-in holds nothing");
            assertEquals(0, StandIn.mappedBytes());
        }

        @Override
        protected boolean hostAccessible()
        {
            return false;
        }
    }
}
