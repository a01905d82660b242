package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmulatedGrowableDeviceTest
{
    private static final long MB = 1L << 20;
    private static final long GB = 1L << 30;

    private static DeviceCallException refused(final VendorCall call, final int code, final Executable executable)
    {
        final DeviceCallException e = assertThrows(DeviceCallException.class, executable);
        assertEquals(call, e.call());
        assertEquals(code, e.errorCode());
        assertTrue(e.getMessage().startsWith(call.cName() + "("), e.getMessage());
        assertTrue(e.getMessage().contains("error " + code + " (" + AclError.name(code) + ")"), e.getMessage());
        return e;
    }

    @Test
    void shouldUseTwoMegabyteGranulesAndOneGigabyteUnderHuge1g()
    {
        assertEquals(2 * MB, EmulatedDevice.builder().pagePolicy(HugePagePolicy.NORMAL_ONLY).build().granularity());
        assertEquals(2 * MB, EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE_ONLY).build().granularity());
        final EmulatedDevice huge1g = EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE1G_ONLY).build();
        assertEquals(GB, huge1g.granularity());
        assertThrows(IllegalArgumentException.class, () -> huge1g.allocatePhysical(2 * MB));
        try (ReservedRange range = huge1g.reserve(4 * GB, 128))
        {
            assertEquals(0, range.address() % GB);
        }
    }

    @Test
    void shouldInjectAFailureIntoEachStepAndChangeNothing()
    {
        final EmulatedDevice device = EmulatedDevice.builder()
            .failCall(VendorCall.GET_GRANULARITY, 2)
            .failCall(VendorCall.RESERVE, 2)
            .failCall(VendorCall.MALLOC_PHYSICAL, 2)
            .failCall(VendorCall.MAP, 2)
            .failCall(VendorCall.UNMAP, 1)
            .failCall(VendorCall.FREE_PHYSICAL, 1)
            .failCall(VendorCall.RELEASE, 1)
            .build();
        final long g = device.granularity();
        refused(VendorCall.GET_GRANULARITY, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, device::granularity);

        final ReservedRange range = device.reserve(4 * g, 128);
        final DeviceCallException reserve =
            refused(VendorCall.RESERVE, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION, () -> device.reserve(8 * g, 128));
        assertTrue(reserve.getMessage().contains("size=" + 8 * g), reserve.getMessage());
        assertTrue(reserve.getMessage().contains("injected failure of call #2"), reserve.getMessage());
        assertEquals(8 * g, reserve.requestedSize());
        assertEquals(1, device.liveRanges());

        final PhysicalHandle a = device.allocatePhysical(g);
        refused(VendorCall.MALLOC_PHYSICAL, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION, () -> device.allocatePhysical(g));
        assertEquals(1, device.liveHandles());
        assertEquals(g, device.physicalBytes());
        final PhysicalHandle b = device.allocatePhysical(g);

        range.map(0, a);
        refused(VendorCall.MAP, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, () -> range.map(g, b));
        assertFalse(b.isMapped());
        assertFalse(range.isMapped(g));
        assertEquals(g, range.mappedBytes());
        range.map(g, b);

        refused(VendorCall.UNMAP, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, () -> range.unmap(g));
        assertTrue(b.isMapped(), "a failed unmap leaves the handle mapped");
        range.fill(range.address() + g, 16, (byte)1);
        range.unmap(g);
        range.unmap(0);

        refused(VendorCall.FREE_PHYSICAL, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, a::close);
        assertEquals(2, device.liveHandles(), "a failed free leaves the handle allocated");
        a.close();
        b.close();
        refused(VendorCall.RELEASE, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, range::close);
        assertEquals(1, device.liveRanges());
        range.close();
        assertEquals(0, device.liveRanges());
        assertEquals(0, device.liveHandles());
        assertEquals(7, device.refusals());
        assertEquals(3, device.calls(VendorCall.MAP));
    }

    @Test
    void shouldCountMappedBytesAgainstTheSixteenGigabyteMediaCap()
    {
        final EmulatedDevice device = EmulatedDevice.builder().api(MemoryApi.DVPP_V1).pagePolicy(HugePagePolicy.HUGE1G_ONLY).build();
        final long g = device.granularity();
        try (ReservedRange range = device.reserve(32 * g, 128))
        {
            final PhysicalHandle sixteen = device.allocatePhysical(16 * g);
            final PhysicalHandle one = device.allocatePhysical(g);
            range.map(0, sixteen);
            final DeviceCallException cap =
                refused(VendorCall.MAP, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION, () -> range.map(16 * g, one));
            assertTrue(cap.getMessage().contains("capped at 17179869184"), cap.getMessage());
            assertEquals(16 * g, device.mappedBytes());
            range.unmap(0);
            range.map(16 * g, one);
            assertEquals(g, device.mappedBytes(), "unmapped bytes no longer count");
            range.unmap(16 * g);
            sixteen.close();
            one.close();
        }
    }

    @Test
    void shouldCountPhysicalHandlesAgainstTheBudget()
    {
        final EmulatedDevice device = EmulatedDevice.builder().budget(8 * MB).pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        try (DeviceBlock block = device.allocate(2 * MB - 32, 128); PhysicalHandle handle = device.allocatePhysical(4 * MB))
        {
            assertEquals(4 * MB, handle.size());
            final DeviceCallException e =
                refused(VendorCall.MALLOC_PHYSICAL, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION, () -> device.allocatePhysical(4 * MB));
            assertTrue(e.getMessage().contains("allows 2097152 more"), e.getMessage());
            assertEquals(2 * MB, block.reservedSize());
        }
        assertEquals(0, device.physicalBytes());
    }

    @Test
    void shouldBackMappedGranulesWithRealBytesThatSurviveRemappingElsewhere()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        final long g = device.granularity();
        try (ReservedRange range = device.reserve(4 * g, 128); PhysicalHandle handle = device.allocatePhysical(g))
        {
            range.map(0, handle);
            range.copyFromHost(new byte[] {5, 6, 7}, 0, range.address() + 10, 3);
            range.unmap(0);
            range.map(3 * g, handle);
            final byte[] back = new byte[3];
            range.copyToHost(range.address() + 3 * g + 10, back, 0, 3);
            assertEquals(6, back[1], "the emulated handle keeps its bytes wherever it is mapped");
            range.unmap(3 * g);
        }
    }

    @Test
    void shouldRejectInjectionIntoCallsThatAreNotSteps()
    {
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().failCall(VendorCall.MALLOC, 1));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().failCall(null, 1));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().failCall(VendorCall.MAP, 0));
    }
}
