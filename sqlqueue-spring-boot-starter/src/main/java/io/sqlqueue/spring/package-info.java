/**
 * Spring Boot auto-configuration of sqlqueue: properties, {@code @JobHandler} methods and customizers.
 */
@NullMarked
package io.sqlqueue.spring;

import org.jspecify.annotations.NullMarked;
