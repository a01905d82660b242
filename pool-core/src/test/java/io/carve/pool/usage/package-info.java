/**
 * Tests of the public API written as a user's code would be: from outside {@code io.carve.pool}, with
 * nothing but public types.
 */
package io.carve.pool.usage;
