package io.carve.pool.device;

import io.carve.pool.align.MemoryApi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user sees on either side of JDK 22: the binding from the jar's versions/22, or a clear refusal. */
class AscendDeviceAvailabilityTest
{
    @Test
    void shouldLoadTheBindingFromJdk22OnAndExplainTheJdkBefore()
    {
        final Path library = AclStandIn.library();
        if (Runtime.version().feature() >= 22)
        {
            final AscendDevice device = AscendDevice.builder().library(library).build();
            assertTrue(device.library().startsWith(library.toString()), device.library());
            try (DeviceBlock block = device.allocate(1024, 64))
            {
                assertEquals(1024, block.size());
            }
        }
        else
        {
            final UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> AscendDevice.builder().library(library).build());
            assertTrue(e.getMessage().contains("needs JDK 22 or newer; this JVM is " + Runtime.version()), e.getMessage());
        }
    }

    @Test
    void shouldRejectBadConfigurationOnEveryJdk()
    {
        assertEquals("api must be RT_MALLOC, RT_MALLOC_HOST, DVPP_V1 or DVPP_V2: api=UNIFIED",
            assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().api(MemoryApi.UNIFIED)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().api(MemoryApi.RT_MALLOC_ALIGN32));
        assertEquals("deviceId must not be negative: deviceId=-1",
            assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().deviceId(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().library(null));
        assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().pagePolicy(null));
        assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().dvppLibrary(null));
        assertThrows(IllegalArgumentException.class, () -> AscendDevice.builder().mpiLibrary(null));
    }
}
