/**
 * Test support: assertions on enqueued jobs, draining on the test's thread, a clock, one handler run alone, a JUnit extension.
 */
@NullMarked
package io.sqlqueue.test;

import org.jspecify.annotations.NullMarked;
