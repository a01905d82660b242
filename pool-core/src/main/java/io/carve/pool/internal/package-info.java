/**
 * Internal: not API. Nothing here is covered by compatibility promises; it is public only because the pool
 * and device packages of {@code pool-core} must call it.
 * <p>
 * {@link io.carve.pool.internal.NativeAccess} is the one door to raw native memory in {@code pool-core}. It
 * has two implementations, chosen once when the class loads:
 * <ul>
 *   <li>on JDK 17 to 21, Agrona's {@code UnsafeApi} (the JVM needs
 *       {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED});</li>
 *   <li>on JDK 22 and newer, the Foreign Function &amp; Memory API, from the multi-release part of the jar
 *       ({@code META-INF/versions/22}); no export is needed, and JDK 24+ wants
 *       {@code --enable-native-access=ALL-UNNAMED} (or the manifest's {@code Enable-Native-Access}) to stay
 *       quiet about restricted methods.</li>
 * </ul>
 * Threading: every method is thread-safe in the way raw memory is: the caller owns the memory it touches.
 */
package io.carve.pool.internal;
