package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmulatedDeviceTest
{
    private static final long MB = 1L << 20;

    @ParameterizedTest(name = "{0} under {1}: size {2} reserves {3}")
    @CsvSource({
        "RT_MALLOC, NORMAL_ONLY, 100, 4096",
        "RT_MALLOC, NORMAL_ONLY, 4064, 4096",
        "RT_MALLOC, NORMAL_ONLY, 4065, 8192",
        "RT_MALLOC_ALIGN32, NORMAL_ONLY, 4096, 4096",
        "RT_MALLOC, NORMAL_ONLY, 4096, 8192",
        "RT_MALLOC, HUGE_FIRST, 1048000, 1048576",
        "RT_MALLOC, HUGE_FIRST, 1048576, 2097152",
        "RT_MALLOC, HUGE_FIRST, 3110400, 4194304",
        "RT_MALLOC, HUGE_ONLY, 100, 2097152",
        "RT_MALLOC, HUGE_ONLY, 2097152, 4194304",
        "RT_MALLOC_ALIGN32, HUGE_ONLY, 2097152, 2097152",
        "DVPP_V1, HUGE_FIRST, 3110400, 4194304",
        "RT_MALLOC, HUGE1G_ONLY, 100, 1073741824"})
    void shouldRoundBlocksByTheApiAndThePagePolicy(
        final MemoryApi api, final HugePagePolicy policy, final long size, final long reserved)
    {
        final EmulatedDevice device = EmulatedDevice.builder().api(api).pagePolicy(policy).build();
        try (DeviceBlock block = device.allocate(size, 64))
        {
            assertEquals(size, block.size());
            assertEquals(reserved, block.reservedSize());
            assertEquals(reserved, device.reservedBytes());
        }
        assertEquals(0, device.reservedBytes());
    }

    @Test
    void shouldHandOutDeviceAddressesTheHostCannotTouchDirectly()
    {
        final EmulatedDevice device = EmulatedDevice.builder().api(MemoryApi.DVPP_V1).pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        try (DeviceBlock a = device.allocate(1000, 64); DeviceBlock b = device.allocate(1000, 64))
        {
            assertFalse(a.isHostAccessible());
            assertTrue(a.address() >= EmulatedDevice.DEFAULT_BASE_ADDRESS);
            assertEquals(0, a.address() % 128, "DVPP blocks start 128-aligned");
            assertEquals(0, b.address() % 128);
            assertTrue(b.address() >= a.address() + a.reservedSize(), "blocks do not overlap");
            assertEquals(2, device.liveBlocks());
        }
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldAlignHugePageBlocksToTheirGranularity()
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE_ONLY).build();
        try (DeviceBlock a = device.allocate(100, 64); DeviceBlock b = device.allocate(100, 64))
        {
            assertEquals(0, a.address() % (2 * MB));
            assertEquals(0, b.address() % (2 * MB));
        }
    }

    @Test
    void shouldReachMemoryOnlyThroughItsOperationsWithinTheBlock()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (DeviceBlock block = device.allocate(4096, 128))
        {
            block.fill(block.address(), 4096, (byte)7);
            final byte[] data = {9, 8, 7};
            block.copyFromHost(data, 0, block.address() + 10, 3);
            final byte[] back = new byte[5];
            block.copyToHost(block.address() + 9, back, 0, 5);
            assertArrayEquals(new byte[] {7, 9, 8, 7, 7}, back);
            assertThrows(IndexOutOfBoundsException.class, () -> block.fill(block.address() + block.reservedSize(), 1, (byte)0));
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyToHost(block.address() - 64, back, 0, 1));
        }
    }

    @Test
    void shouldRefuseMemoryOperationsPastTheBlockInsideItsReservation()
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE_ONLY).build();
        try (DeviceBlock block = device.allocate(4096, 128))
        {
            assertEquals(2 * MB, block.reservedSize(), "the reservation is rounded to a huge page");
            final long end = block.address() + block.size();
            final byte[] one = new byte[1];
            block.fill(end - 1, 1, (byte)1);
            final IndexOutOfBoundsException fill =
                assertThrows(IndexOutOfBoundsException.class, () -> block.fill(end, 1, (byte)0));
            assertTrue(fill.getMessage().contains("size=4096"), fill.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyToHost(end, one, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> block.copyFromHost(one, 0, end, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> block.fill(end - 1, 2, (byte)0));
        }
    }

    @Test
    void shouldGiveEveryDefaultDeviceItsOwnAddresses()
    {
        final EmulatedDevice dvpp = EmulatedDevice.builder().api(MemoryApi.DVPP_V1).build();
        final EmulatedDevice runtime = EmulatedDevice.builder().build();
        try (DeviceBlock a = dvpp.allocate(3 * MB, 128); DeviceBlock b = runtime.allocate(3 * MB, 128))
        {
            assertTrue(a.address() + a.reservedSize() <= b.address() || b.address() + b.reservedSize() <= a.address(),
                "blocks of two devices must not overlap: " + a + ", " + b);
        }
    }

    @Test
    void shouldShareAddressesOnlyWhenGivenTheSameBase()
    {
        final long base = 0x7000_0000_0000L;
        final EmulatedDevice one = EmulatedDevice.builder().baseAddress(base).build();
        final EmulatedDevice two = EmulatedDevice.builder().baseAddress(base).build();
        try (DeviceBlock a = one.allocate(MB, 128); DeviceBlock b = two.allocate(MB, 128))
        {
            assertEquals(base, a.address());
            assertEquals(base, b.address());
        }
    }

    @Test
    void shouldCapTheMediaAddressSpaceAt16GB()
    {
        final EmulatedDevice device = EmulatedDevice.builder().api(MemoryApi.DVPP_V2).build();
        final DeviceAllocationException whole = assertThrows(DeviceAllocationException.class,
            () -> device.allocate(EmulatedDevice.DVPP_ADDRESS_SPACE, 128));
        assertTrue(whole.getMessage().contains("media address space is capped at 17179869184"), whole.getMessage());
        try (DeviceBlock small = device.allocate(4 * MB - 32, 128))
        {
            final DeviceAllocationException rest = assertThrows(DeviceAllocationException.class,
                () -> device.allocate(EmulatedDevice.DVPP_ADDRESS_SPACE - 2 * MB, 128));
            assertEquals(EmulatedDevice.DVPP_ADDRESS_SPACE - 2 * MB, rest.requestedSize());
            assertEquals(4 * MB, small.reservedSize());
        }
        assertEquals(2, device.refusals());
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldApplyTheHiaiCaps()
    {
        final EmulatedDevice host = EmulatedDevice.builder().hiaiLimit(EmulatedDevice.HiaiLimit.HOST)
            .pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        assertThrows(DeviceAllocationException.class, () -> host.allocate(256 * MB + 1, 64));
        host.allocate(256 * MB, 64).close();

        final EmulatedDevice device = EmulatedDevice.builder().hiaiLimit(EmulatedDevice.HiaiLimit.DEVICE)
            .pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        final DeviceAllocationException e =
            assertThrows(DeviceAllocationException.class, () -> device.allocate(256 * MB - 95, 64));
        assertTrue(e.getMessage().contains("96"), e.getMessage());
        device.allocate(256 * MB - 96, 64).close();
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldRefuseTheNthRequestAndAboveTheBudget()
    {
        final EmulatedDevice device = EmulatedDevice.builder().failRequest(2).budget(8 * MB)
            .pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        try (DeviceBlock first = device.allocate(MB, 64))
        {
            final DeviceAllocationException injected =
                assertThrows(DeviceAllocationException.class, () -> device.allocate(MB, 64));
            assertTrue(injected.getMessage().contains("injected failure of request #2"), injected.getMessage());
            try (DeviceBlock third = device.allocate(MB, 64))
            {
                final DeviceAllocationException budget =
                    assertThrows(DeviceAllocationException.class, () -> device.allocate(6 * MB, 64));
                assertTrue(budget.getMessage().contains("budget of 8388608 bytes"), budget.getMessage());
                assertEquals(third.reservedSize() + first.reservedSize(), device.reservedBytes());
            }
        }
        assertEquals(4, device.requests());
        assertEquals(2, device.refusals());
        assertEquals(0, device.reservedBytes());
    }

    @Test
    void shouldRejectBadConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().api(MemoryApi.UNIFIED));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().failRequest(0));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().budget(0));
        assertThrows(IllegalArgumentException.class, () -> EmulatedDevice.builder().baseAddress(12345));
        final EmulatedDevice device = EmulatedDevice.builder().build();
        assertThrows(IllegalArgumentException.class, () -> device.allocate(0, 64));
        assertThrows(IllegalArgumentException.class, () -> device.allocate(64, 3));
        assertEquals(0, device.requests(), "bad arguments are not requests");
    }
}
