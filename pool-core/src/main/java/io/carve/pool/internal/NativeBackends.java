package io.carve.pool.internal;

/**
 * Chooses the {@link NativeBackend}. This is the JDK 17 version: Agrona's {@code UnsafeApi}. The jar's
 * {@code META-INF/versions/22} holds a version of this class that returns the FFM backend instead, so a
 * JDK 22+ JVM never loads {@code UnsafeApi} through this path.
 */
final class NativeBackends
{
    private NativeBackends()
    {
    }

    static NativeBackend select()
    {
        return new UnsafeBackend();
    }
}
