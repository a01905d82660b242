package io.carve.pool.device;

/**
 * Loads the vendor runtime's binding: the JDK 22+ version of this class (multi-release part of the jar),
 * which links {@link FfmAclRuntime}.
 */
final class AclRuntimes
{
    private AclRuntimes()
    {
    }

    static AclRuntime load(final AclLibrary runtime, final AclLibrary dvpp, final AclLibrary mpi)
    {
        return new FfmAclRuntime(runtime, dvpp, mpi);
    }
}
