package io.carve.pool.device;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NativeMemoryTest
{
    private static List<Long> pages(final long start, final long size)
    {
        final List<Long> visited = new ArrayList<>();
        final long count = NativeMemory.forEachPage(start, size, visited::add);
        assertEquals(visited.size(), count);
        return visited;
    }

    @Test
    void shouldTouchTheLastPageOfAnUnalignedRange()
    {
        // 8192 bytes from 100 span three pages: [100, 4096), [4096, 8192), [8192, 8292).
        assertEquals(List.of(100L, 4096L, 8192L), pages(100, 8192));
        assertEquals(List.of(4095L, 4096L), pages(4095, 2));
        assertEquals(List.of(4096L, 8192L), pages(4096, 8192));
        assertEquals(List.of(0L), pages(0, 1));
        assertEquals(List.of(0L), pages(0, 4096));
    }

    @Test
    void shouldRejectASizeThatOverflowsWithItsAlignment()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> new NativeMemory(Long.MAX_VALUE - 8, 64));
        assertEquals("size and alignment overflow: size=" + (Long.MAX_VALUE - 8) + ", alignment=64", e.getMessage());
    }
}
