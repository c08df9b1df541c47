package io.sqlqueue.spring.actuate;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.spring.SqlQueueAutoConfiguration;

/**
 * Observes enqueue and handler runs when the application has an {@link ObservationRegistry}
 * (tracing, observation handlers).
 */
@AutoConfiguration(before = SqlQueueAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
public final class SqlQueueObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ObservationJobInterceptor sqlQueueObservationJobInterceptor(ObservationRegistry registry) {
		return new ObservationJobInterceptor(registry);
	}

}
