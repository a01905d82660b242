package io.carve.pool.device;

import java.nio.file.Path;

/**
 * Where one vendor library is to be found, and how that was decided, so a failure can say what was looked
 * for: a path given to the builder, else the system property, else the bare file name for the platform's
 * library search ({@code dlopen}: {@code LD_LIBRARY_PATH}, the run path, the {@code ld.so} cache).
 */
final class AclLibrary
{
    final String spec;
    final String how;

    private AclLibrary(final String spec, final String how)
    {
        this.spec = spec;
        this.how = how;
    }

    static AclLibrary resolve(final Path explicit, final String property, final String defaultName)
    {
        if (explicit != null)
        {
            return new AclLibrary(explicit.toString(), "the path given to the builder");
        }
        final String set = System.getProperty(property);
        if (set != null && !set.isBlank())
        {
            return new AclLibrary(set.trim(), "the system property " + property);
        }
        return new AclLibrary(defaultName, defaultName + " on the platform's library path (LD_LIBRARY_PATH="
            + System.getenv().getOrDefault("LD_LIBRARY_PATH", "") + ", the run path and the ld.so cache), since neither a "
            + "builder path nor -D" + property + " was given");
    }

    boolean isPath()
    {
        return spec.indexOf('/') >= 0;
    }

    @Override
    public String toString()
    {
        return spec + " (" + how + ")";
    }
}
