package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binding's own behaviour over the stand-in: errors, failure injection, threads, the runtime's rules. */
class AscendDeviceTest
{
    private static final long MB = 1L << 20;
    private static final long GB = 1L << 30;

    @AfterEach
    void standInHoldsNothing()
    {
        StandIn.capacity(64 * GB, 32 * GB);
        assertEquals(0, StandIn.live(0), "a test leaked stand-in memory");
    }

    private static DeviceCallException refused(final VendorCall call, final int code, final Executable executable)
    {
        final DeviceCallException e = assertThrows(DeviceCallException.class, executable);
        assertEquals(call, e.call());
        assertEquals(code, e.errorCode());
        assertTrue(e.getMessage().startsWith(call.cName() + "("), e.getMessage());
        assertTrue(e.getMessage().contains("failed: error " + code + " (" + AclError.name(code) + ")"), e.getMessage());
        return e;
    }

    @Test
    void shouldNameTheCallItsArgumentsTheCodeAndTheRuntimesRecentMessage()
    {
        final AscendDevice device = StandIn.device().build();
        StandIn.fail(VendorCall.MALLOC, 1, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION);
        final DeviceCallException e = refused(VendorCall.MALLOC, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
            () -> device.allocate(1000, 64));
        assertEquals("aclrtMalloc(devPtr=&ptr, size=1000, policy=0) failed: error 207001 (ACL_ERROR_RT_MEMORY_ALLOCATION): "
            + "aclrtMalloc: injected failure (stand-in)", e.getMessage());
        assertEquals(1000, e.requestedSize());
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldReportWhatWasLoadedAndTheApisRounding()
    {
        final AscendDevice device = StandIn.device().api(MemoryApi.DVPP_V1).build();
        assertTrue(device.library().startsWith(StandIn.LIBRARY + " (the path given to the builder)"), device.library());
        assertEquals("ascend0-dvpp_v1-huge_first", device.name());
        try (DeviceBlock block = device.allocate(100, 128))
        {
            assertEquals(160, block.reservedSize(), "ALIGN_UP(100,32) + 32");
            assertEquals(0, block.address() % 128);
            assertEquals(1, StandIn.live(StandIn.DVPP));
        }
    }

    @Test
    void shouldReachOnlyTheCallersBytesNotTheRuntimesPadding()
    {
        final AclRuntime runtime = runtime();
        final long pointer = runtime.malloc(100, HugePagePolicy.NORMAL_ONLY.value());
        try
        {
            runtime.memset(pointer, 100, 7, 100);
            final byte[] back = new byte[100];
            runtime.copyToHost(pointer, back, 0, 100);
            assertEquals(7, back[99]);
            final DeviceCallException padding = refused(VendorCall.MEMSET, AclError.ACL_ERROR_INVALID_PARAM,
                () -> runtime.memset(pointer + 100, 32, 0, 1));
            assertTrue(padding.getMessage().contains("not inside memory the caller allocated"), padding.getMessage());
            refused(VendorCall.MEMSET, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.memset(pointer, 10, 0, 11));
            refused(VendorCall.MEMCPY, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.copyToHost(pointer + 50, back, 0, 51));
            refused(VendorCall.MEMCPY, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.copyToHost(0x1000, back, 0, 1));
            refused(VendorCall.MALLOC, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.malloc(0, 0));
            refused(VendorCall.FREE, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.free(pointer + 64));
        }
        finally
        {
            runtime.free(pointer);
        }
    }

    @Test
    void shouldApplyThePagePoliciesAndFailHugeOnlyWhenHugePagesRunOut()
    {
        StandIn.capacity(64 * GB, 4 * MB);
        final AscendDevice hugeOnly = StandIn.device().pagePolicy(HugePagePolicy.HUGE_ONLY).build();
        final AscendDevice hugeFirst = StandIn.device().pagePolicy(HugePagePolicy.HUGE_FIRST).build();
        try (DeviceBlock first = hugeOnly.allocate(3 * MB, 128))
        {
            final DeviceCallException e = refused(VendorCall.MALLOC, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
                () -> hugeOnly.allocate(3 * MB, 128));
            assertTrue(e.getMessage().contains("huge pages exhausted"), e.getMessage());
            try (DeviceBlock fallback = hugeFirst.allocate(3 * MB, 128))
            {
                assertEquals(3 * MB, fallback.size(), "HUGE_FIRST falls back to normal pages");
                assertEquals(0, first.address() % (2 * MB), "huge-page blocks start on 2 MB");
            }
        }
    }

    @Test
    void shouldCapMediaMemoryAtSixteenGigabytes()
    {
        final AscendDevice device = StandIn.device().api(MemoryApi.DVPP_V2).build();
        try (DeviceBlock big = device.allocate(12 * GB, 128))
        {
            final DeviceCallException e = refused(VendorCall.MPI_DVPP_MALLOC, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
                () -> device.allocate(4 * GB, 128));
            assertTrue(e.getMessage().contains("capped at 16 GB"), e.getMessage());
            assertEquals(12 * GB, big.size());
        }
    }

    @Test
    void shouldSetTheDeviceOnEveryThreadThatCallsThroughIt() throws Exception
    {
        final AscendDevice device = StandIn.device().build();
        final AclRuntime raw = runtime();
        try (DeviceBlock block = device.allocate(4096, 128))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicReference<DeviceCallException> unbound = new AtomicReference<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    assertEquals(AclError.ACL_ERROR_RT_CONTEXT_NULL,
                        assertThrows(DeviceCallException.class, raw::getDevice).errorCode());
                    unbound.set(assertThrows(DeviceCallException.class, () -> raw.memset(block.address(), 4096, 1, 16)));
                    block.fill(block.address(), 4096, (byte)0x21);
                    final byte[] back = new byte[2];
                    block.copyToHost(block.address() + 4094, back, 0, 2);
                    assertArrayEquals(new byte[] {0x21, 0x21}, back);
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            thread.start();
            thread.join();
            assertNull(failure.get());
            assertEquals(0, raw.getDevice(), "aclrtGetDevice on a bound thread");
            assertEquals(AclError.ACL_ERROR_RT_CONTEXT_NULL, unbound.get().errorCode(),
                "the stand-in, like the runtime, refuses a thread without a current device");
        }
    }

    @Test
    void shouldRefuseADeviceThatDoesNotExist()
    {
        final DeviceCallException e = refused(VendorCall.SET_DEVICE, AclError.ACL_ERROR_RT_INVALID_DEVICEID,
            () -> StandIn.device().deviceId(7).build());
        assertTrue(e.getMessage().startsWith("aclrtSetDevice(deviceId=7)"), e.getMessage());
    }

    @Test
    void shouldFailEveryStepOfTheThreeStepApiCleanly()
    {
        final AscendDevice fresh = StandIn.device().build();
        StandIn.fail(VendorCall.GET_GRANULARITY, 1, AclError.ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
        refused(VendorCall.GET_GRANULARITY, AclError.ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fresh::granularity);
        final long g = fresh.granularity();
        assertEquals(2 * MB, g);

        StandIn.fail(VendorCall.RESERVE, 1, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION);
        refused(VendorCall.RESERVE, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION, () -> fresh.reserve(4 * g, 128));
        assertEquals(0, fresh.liveRanges());
        final ReservedRange range = fresh.reserve(4 * g, 128);

        StandIn.fail(VendorCall.MALLOC_PHYSICAL, 1, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION);
        final DeviceCallException physical = refused(VendorCall.MALLOC_PHYSICAL, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
            () -> fresh.allocatePhysical(g));
        assertTrue(physical.getMessage().contains("size=2097152, prop={handleType=ACL_MEM_HANDLE_TYPE_NONE"), physical.getMessage());
        final PhysicalHandle handle = fresh.allocatePhysical(g);

        StandIn.fail(VendorCall.MAP, 1, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR);
        refused(VendorCall.MAP, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, () -> range.map(g, handle));
        assertFalse(handle.isMapped());
        assertEquals(0, StandIn.mappedBytes());
        range.map(g, handle);

        StandIn.fail(VendorCall.UNMAP, 1, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR);
        refused(VendorCall.UNMAP, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, () -> range.unmap(g));
        assertTrue(handle.isMapped());
        range.fill(range.address() + g, 8, (byte)1);
        range.unmap(g);

        StandIn.fail(VendorCall.FREE_PHYSICAL, 1, AclError.ACL_ERROR_RT_MEMORY_FREE);
        refused(VendorCall.FREE_PHYSICAL, AclError.ACL_ERROR_RT_MEMORY_FREE, handle::close);
        assertEquals(1, fresh.liveHandles());
        handle.close();

        StandIn.fail(VendorCall.RELEASE, 1, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR);
        refused(VendorCall.RELEASE, AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR, range::close);
        assertEquals(1, fresh.liveRanges());
        range.close();
        assertEquals(0, fresh.liveRanges());
        assertEquals(0, fresh.liveHandles());
    }

    @Test
    void shouldHoldTheThreeStepRulesInTheRuntimeItself()
    {
        final AclRuntime runtime = runtime();
        final int huge = AscendDevice.ACL_HBM_MEM_HUGE;
        assertEquals(2 * MB, runtime.granularity(huge, 0));
        assertEquals(GB, runtime.granularity(AscendDevice.ACL_HBM_MEM_HUGE1G, 0));
        refused(VendorCall.GET_GRANULARITY, AclError.ACL_ERROR_RT_INVALID_DEVICEID, () -> runtime.granularity(huge, 9));
        refused(VendorCall.RESERVE, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.reserve(3 * MB));
        refused(VendorCall.MALLOC_PHYSICAL, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.mallocPhysical(MB, huge, 0));
        refused(VendorCall.MALLOC_PHYSICAL, AclError.ACL_ERROR_INVALID_PARAM,
            () -> runtime.mallocPhysical(2 * MB, AscendDevice.ACL_HBM_MEM_HUGE1G, 0));

        final long range = runtime.reserve(8 * MB);
        final long a = runtime.mallocPhysical(2 * MB, huge, 0);
        final long b = runtime.mallocPhysical(4 * MB, huge, 0);
        try
        {
            refused(VendorCall.MAP, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.map(range + 4096, 2 * MB, a));
            refused(VendorCall.MAP, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.map(range, 4 * MB, a));
            refused(VendorCall.MAP, AclError.ACL_ERROR_RT_INVALID_HANDLE, () -> runtime.map(range, 2 * MB, a + 8));
            runtime.map(range + 2 * MB, 2 * MB, a);
            refused(VendorCall.MAP, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.map(range, 4 * MB, b));
            refused(VendorCall.MAP, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.map(range + 6 * MB, 2 * MB, a));
            refused(VendorCall.FREE_PHYSICAL, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.freePhysical(a));
            refused(VendorCall.RELEASE, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.release(range));
            refused(VendorCall.MEMSET, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.memset(range, 8 * MB, 0, 1));
            runtime.memset(range + 2 * MB, 2 * MB, 3, 2 * MB);
            refused(VendorCall.UNMAP, AclError.ACL_ERROR_INVALID_PARAM, () -> runtime.unmap(range + 3 * MB));
            runtime.unmap(range + 2 * MB);
        }
        finally
        {
            runtime.freePhysical(a);
            runtime.freePhysical(b);
            runtime.release(range);
        }
    }

    @Test
    void shouldMapOneGigabyteHandlesUnderTheHuge1gPolicy()
    {
        final AscendDevice device = StandIn.device().pagePolicy(HugePagePolicy.HUGE1G_ONLY).build();
        assertEquals(GB, device.granularity());
        try (ReservedRange range = device.reserve(2 * GB, 128); PhysicalHandle handle = device.allocatePhysical(GB))
        {
            range.map(GB, handle);
            range.fill(range.address() + 2 * GB - 64, 64, (byte)5);
            range.unmap(GB);
        }
    }

    @Test
    void shouldTolerateAnAlreadyInitialisedRuntimeAndSkipInitWhenAsked()
    {
        final long before = StandIn.calls(VendorCall.INIT);
        StandIn.device().build();
        StandIn.device().build();
        StandIn.device().initialize(false).build();
        assertEquals(before + 2, StandIn.calls(VendorCall.INIT));
    }

    @Test
    void shouldSayWhichLibraryAndSymbolAreMissing()
    {
        final IllegalStateException missing = assertThrows(IllegalStateException.class,
            () -> AscendDevice.builder().library(StandIn.LIBRARY.resolveSibling("nope.so")).build());
        assertTrue(missing.getMessage().contains("nope.so does not exist"), missing.getMessage());
        assertTrue(missing.getMessage().contains("the path given to the builder"), missing.getMessage());

        final String before = System.getProperty(AscendDevice.LIBRARY_PROPERTY);
        try
        {
            System.clearProperty(AscendDevice.LIBRARY_PROPERTY);
            final IllegalStateException search = assertThrows(IllegalStateException.class, () -> AscendDevice.builder().build());
            assertTrue(search.getMessage().contains("libascendcl.so on the platform's library path (LD_LIBRARY_PATH="),
                search.getMessage());
            System.setProperty(AscendDevice.LIBRARY_PROPERTY, StandIn.LIBRARY.toString());
            assertTrue(AscendDevice.builder().build().library().contains("the system property carve.acl.library"));
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(AscendDevice.LIBRARY_PROPERTY);
            }
            else
            {
                System.setProperty(AscendDevice.LIBRARY_PROPERTY, before);
            }
        }
    }

    private static AclRuntime runtime()
    {
        final AclRuntime runtime = AclRuntimes.load(
            AclLibrary.resolve(StandIn.LIBRARY, AscendDevice.LIBRARY_PROPERTY, AscendDevice.DEFAULT_LIBRARY), null, null);
        runtime.init();
        runtime.setDevice(0);
        return runtime;
    }
}
