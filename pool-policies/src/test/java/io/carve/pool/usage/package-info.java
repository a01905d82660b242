/**
 * Tests of buddy and slab pools written as a user's code would be: from outside the library's packages,
 * with nothing but public types.
 */
package io.carve.pool.usage;
