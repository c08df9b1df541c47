/**
 * The {@code SqlQueueTester} bean of Spring Boot tests.
 */
@NullMarked
package io.sqlqueue.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
