/**
 * Meters, observations, health and the Actuator endpoint of sqlqueue.
 */
@NullMarked
package io.sqlqueue.spring.actuate;

import org.jspecify.annotations.NullMarked;
