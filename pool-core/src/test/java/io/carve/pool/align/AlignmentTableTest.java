package io.carve.pool.align;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignmentTableTest
{
    @ParameterizedTest(name = "{0} starts segments at {1}-byte boundaries")
    @CsvSource({
        "RT_MALLOC, 64, aclrtMalloc, acl.rt.malloc",
        "RT_MALLOC_ALIGN32, 64, aclrtMallocAlign32, acl.rt.malloc_align32",
        "RT_MALLOC_CACHED, 64, aclrtMallocCached, acl.rt.malloc_cached",
        "RT_MALLOC_HOST, 64, aclrtMallocHost, acl.rt.malloc_host",
        "DVPP_V1, 128, acldvppMalloc, acl.media.dvpp_malloc",
        "DVPP_V2, 128, hi_mpi_dvpp_malloc, acl.himpi.dvpp_malloc",
        "MEMCPY_ASYNC, 64, aclrtMemcpyAsync, acl.rt.memcpy_async",
        "UNIFIED, 128, (unified pool), (unified pool)"})
    void shouldPinEveryRowsStartAlignmentAndNames(
        final MemoryApi api, final int alignment, final String cName, final String pythonName)
    {
        assertEquals(alignment, api.startAlignment());
        assertEquals(alignment, api.profile().startAlignment());
        assertEquals(32, api.profile().tailBytes());
        assertEquals(cName, api.cName());
        assertEquals(pythonName, api.pythonName());
    }

    @ParameterizedTest(name = "{0}: every row carves ALIGN_UP(len,32)+32")
    @EnumSource(MemoryApi.class)
    void shouldCarveAlignUp32PlusTailForEveryRow(final MemoryApi api)
    {
        final AlignmentProfile profile = api.profile();
        assertEquals(64, profile.segmentSize(1));
        assertEquals(64, profile.segmentSize(31));
        assertEquals(64, profile.segmentSize(32));
        assertEquals(96, profile.segmentSize(33));
        assertEquals(96, profile.segmentSize(64));
        assertEquals((1L << 31) + 32, profile.segmentSize(1L << 31));
        assertEquals(3_110_400 + 32, profile.segmentSize(3_110_400));
        assertEquals(12_441_600 + 32, profile.segmentSize(12_441_600));
    }

    @ParameterizedTest
    @CsvSource({
        "RT_MALLOC, 1, 64", "RT_MALLOC, 32, 64", "RT_MALLOC, 33, 96",
        "RT_MALLOC_ALIGN32, 1, 32", "RT_MALLOC_ALIGN32, 32, 32", "RT_MALLOC_ALIGN32, 33, 64",
        "RT_MALLOC_CACHED, 31, 64", "RT_MALLOC_HOST, 64, 96",
        "DVPP_V1, 3110400, 3110432", "DVPP_V2, 100, 160"})
    void shouldPinWhatADirectCallReserves(final MemoryApi api, final long size, final long reserved)
    {
        assertEquals(reserved, api.blockSize(size));
    }

    @ParameterizedTest
    @EnumSource(value = MemoryApi.class, names = {"MEMCPY_ASYNC", "UNIFIED"})
    void shouldRefuseBlockSizeForRowsThatAreNotAllocators(final MemoryApi api)
    {
        assertFalse(api.isAllocator());
        assertThrows(IllegalArgumentException.class, () -> api.blockSize(100));
    }

    @Test
    void shouldRefuseSizeZeroForDirectCalls()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> MemoryApi.RT_MALLOC_ALIGN32.blockSize(0));
        assertEquals("aclrtMallocAlign32 size must be positive: size=0", e.getMessage());
    }

    @Test
    void shouldMarkOnlyTheDvppRowsAsMedia()
    {
        for (final MemoryApi api : MemoryApi.values())
        {
            assertEquals(api == MemoryApi.DVPP_V1 || api == MemoryApi.DVPP_V2, api.isMedia(), api.name());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -32, Long.MIN_VALUE})
    void shouldRejectNonPositiveLengths(final long len)
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> AlignmentProfile.UNIFIED.segmentSize(len));
        assertEquals("len must be positive: len=" + len, e.getMessage());
    }

    @Test
    void shouldRejectLengthsWhoseSegmentSizeOverflowsInsteadOfWrapping()
    {
        final AlignmentProfile profile = AlignmentProfile.UNIFIED;
        final long max = profile.maxLength();
        assertEquals(0, max % 32, "the largest valid len is a multiple of 32");
        assertEquals(max + 32, profile.segmentSize(max), "the largest valid len must not wrap");
        assertTrue(Long.MAX_VALUE - (max + 32) < 32, "no larger len fits: max=" + max);
        for (final long len : new long[] {max + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 32})
        {
            final IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> profile.segmentSize(len), "len=" + len);
            assertTrue(e.getMessage().startsWith("len overflows the segment size: len=" + len), e.getMessage());
        }
    }

    @Test
    void shouldTakeTheTailAsAParameter()
    {
        final AlignmentProfile noTail = AlignmentProfile.of(MemoryApi.RT_MALLOC, 0);
        assertEquals(32, noTail.segmentSize(1));
        assertEquals(32, noTail.segmentSize(32));
        final AlignmentProfile bigTail = AlignmentProfile.of(MemoryApi.DVPP_V1, 64);
        assertEquals(96, bigTail.segmentSize(1));
        assertEquals(128, bigTail.startAlignment());
        assertThrows(IllegalArgumentException.class, () -> AlignmentProfile.of(MemoryApi.RT_MALLOC, 33));
        assertThrows(IllegalArgumentException.class, () -> AlignmentProfile.of(MemoryApi.RT_MALLOC, -32));
        assertThrows(IllegalArgumentException.class,
            () -> AlignmentProfile.of(MemoryApi.RT_MALLOC, AlignmentProfile.MAX_TAIL + 32));
    }

    @Test
    void shouldReturnTheSharedUnifiedProfile()
    {
        assertSame(AlignmentProfile.UNIFIED, MemoryApi.UNIFIED.profile());
        assertEquals(128, AlignmentProfile.UNIFIED.startAlignment());
    }

    @Test
    void shouldLetALargerAlignmentServeASmallerOne()
    {
        assertTrue(AlignmentProfile.UNIFIED.canServe(MemoryApi.RT_MALLOC.profile()));
        assertTrue(MemoryApi.DVPP_V1.profile().canServe(MemoryApi.DVPP_V2.profile()));
        assertFalse(MemoryApi.RT_MALLOC.profile().canServe(MemoryApi.DVPP_V1.profile()));
    }

    @Test
    void shouldRejectCustomAlignmentThatIsNotAPowerOfTwo()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> AlignmentProfile.custom("odd", 96, 32));
        assertEquals("startAlignment must be a power of 2: startAlignment=96", e.getMessage());
        assertEquals(256, AlignmentProfile.custom("wide", 256, 32).startAlignment());
    }

    @Test
    void shouldAlignUpWithoutOverflow()
    {
        assertEquals(0, Align.alignUp(0, 64));
        assertEquals(64, Align.alignUp(1, 64));
        assertEquals(64, Align.alignUp(64, 64));
        assertThrows(IllegalArgumentException.class, () -> Align.alignUp(Long.MAX_VALUE - 10, 64));
        assertThrows(IllegalArgumentException.class, () -> Align.alignUp(-1, 64));
        assertTrue(Align.isPowerOfTwo(1L << 62));
        assertFalse(Align.isPowerOfTwo(0));
        assertFalse(Align.isPowerOfTwo(Long.MIN_VALUE));
    }
}
