package io.sqlqueue.test.autoconfigure;

import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.test.SqlQueueTester;

/**
 * Provides a {@link SqlQueueTester} on the application's queue and the starter's worker wherever
 * {@code sqlqueue-test} is on the classpath with the starter, so that a {@code @SpringBootTest} can autowire it.
 * Set {@code sqlqueue.worker.mode=manual} in the test for {@link SqlQueueTester#drain()}.
 */
@AutoConfiguration(afterName = "io.sqlqueue.spring.SqlQueueAutoConfiguration")
@ConditionalOnClass(name = "io.sqlqueue.spring.JobHandlerRegistry")
@ConditionalOnBean(JdbcJobQueue.class)
public final class SqlQueueTestAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SqlQueueTester sqlQueueTester(JdbcJobQueue queue, ObjectProvider<JobHandlerRegistry> registry) {
		return SqlQueueTester.of(queue,
				() -> Optional.ofNullable(registry.getIfAvailable()).flatMap(JobHandlerRegistry::worker));
	}

}
