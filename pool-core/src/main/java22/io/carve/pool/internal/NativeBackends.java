package io.carve.pool.internal;

/**
 * Chooses the {@link NativeBackend}: the JDK 22+ version of this class (multi-release part of the jar),
 * which returns the Foreign Function &amp; Memory backend, so no {@code --add-exports} flag is needed.
 */
final class NativeBackends
{
    private NativeBackends()
    {
    }

    static NativeBackend select()
    {
        return new FfmBackend();
    }
}
