package io.sqlqueue.spring.actuate;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.spring.SqlQueueProperties;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;

/**
 * The {@code sqlqueue} health indicator ({@code management.health.sqlqueue.enabled}).
 */
@AutoConfiguration(after = SqlQueueAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean({ JdbcJobQueue.class, JobHandlerRegistry.class })
@ConditionalOnEnabledHealthIndicator("sqlqueue")
public final class SqlQueueHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "sqlqueueHealthIndicator")
	SqlQueueHealthIndicator sqlqueueHealthIndicator(JdbcJobQueue queue, JobHandlerRegistry handlers,
			SqlQueueProperties properties) {
		return new SqlQueueHealthIndicator(queue, handlers, properties.getWorker().getUnhandledAfter(),
				properties.getWorker().getSnapshotWarningAge());
	}

}
