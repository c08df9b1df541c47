package io.sqlqueue.spring.actuate;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.spring.QueueStatistics;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;
import io.sqlqueue.spring.SqlQueueProperties;

/**
 * sqlqueue's Micrometer meters, when the application has a {@link MeterRegistry}.
 */
@AutoConfiguration(after = SqlQueueAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, JdbcJobQueue.class })
public final class SqlQueueMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SqlQueueMetrics sqlQueueMetrics(MeterRegistry registry) {
		return new SqlQueueMetrics(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ JobHandlerRegistry.class, QueueStatistics.class })
	SqlQueueGauges sqlQueueGauges(MeterRegistry registry, JdbcJobQueue queue, JobHandlerRegistry handlers,
			QueueStatistics statistics, SqlQueueProperties properties) {
		return new SqlQueueGauges(registry, queue, handlers, statistics,
				properties.getWorker().getUnhandledAfter());
	}

}
