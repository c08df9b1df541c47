package io.sqlqueue.spring;

import io.sqlqueue.JdbcJobQueue;

/**
 * Customizes the auto-configured {@link JdbcJobQueue} beyond what {@code sqlqueue.*} properties
 * say, such as a payload codec of your own. Customizers run in {@code @Order}, after the properties
 * are applied.
 */
@FunctionalInterface
public interface JdbcJobQueueCustomizer {

	void customize(JdbcJobQueue.Builder builder);

}
