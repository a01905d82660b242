package io.carve.pool.device;

/**
 * Loads the vendor runtime's binding. This is the JDK 17 version: there is no binding before the Foreign
 * Function &amp; Memory API, so it explains that. The jar's {@code META-INF/versions/22} holds the version that
 * loads the FFM binding.
 */
final class AclRuntimes
{
    private AclRuntimes()
    {
    }

    static AclRuntime load(final AclLibrary runtime, final AclLibrary dvpp, final AclLibrary mpi)
    {
        throw new UnsupportedOperationException("AscendDevice calls the Ascend runtime (" + runtime.spec
            + ") through the Foreign Function & Memory API, which needs JDK 22 or newer; this JVM is "
            + Runtime.version() + ". On JDK 17 to 21 use the off-heap or emulated device, or your own DeviceAllocator.");
    }
}
