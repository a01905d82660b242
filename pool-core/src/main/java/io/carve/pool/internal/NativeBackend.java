package io.carve.pool.internal;

/**
 * What {@link NativeAccess} needs from a JDK: one implementation per JDK generation, chosen by
 * {@link NativeBackends#select()}. The methods mirror {@link NativeAccess}; arguments are checked there.
 */
interface NativeBackend
{
    String name();

    long allocate(long size);

    void free(long address);

    long reserve(long size);

    void unreserve(long address, long size);

    boolean canDiscard();

    void discard(long address, long size);

    void setMemory(long address, long length, byte value);

    void copyToArray(long address, byte[] dst, int dstOffset, int length);

    void copyFromArray(byte[] src, int srcOffset, long address, int length);

    long getLong(long address);

    void putLong(long address, long value);

    byte getByte(long address);

    void putByte(long address, byte value);
}
