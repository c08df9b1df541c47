package io.sqlqueue.spring.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import io.sqlqueue.JobContext;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;
import io.sqlqueue.spring.JobHandler;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

/**
 * A small Boot application with the starter, as a user would write it: handler methods on a bean,
 * the database chosen by {@code e2e.database}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(EndToEndApplication.Handlers.class)
public class EndToEndApplication {

	/** The shared test pool; the context must not close it. */
	@Bean(destroyMethod = "")
	DataSource dataSource(@Value("${e2e.database}") TestDatabase database) {
		return TestDatabases.dataSource(database);
	}

	record Greeting(String name) {
	}

	record Flaky(String key) {
	}

	record Order(String id) {
	}

	static class Handlers {

		final List<String> steps = new CopyOnWriteArrayList<>();

		final List<String> batchReports = new CopyOnWriteArrayList<>();

		final List<String> greeted = new CopyOnWriteArrayList<>();

		final AtomicBoolean flakyFixed = new AtomicBoolean();

		final AtomicInteger ticks = new AtomicInteger();

		@JobHandler("greet")
		String greet(Greeting greeting, JobContext context) {
			context.log("greeting " + greeting.name());
			this.greeted.add(greeting.name());
			return "hello " + greeting.name();
		}

		@JobHandler(value = "flaky", maxAttempts = "2", backoff = "constant", backoffBase = "200ms")
		void flaky(Flaky flaky) {
			if (!this.flakyFixed.get()) {
				throw new IllegalStateException("flaky failure for " + flaky.key());
			}
		}

		@JobHandler("charge")
		String charge(Order order) {
			this.steps.add("charge " + order.id());
			return "receipt-" + order.id();
		}

		@JobHandler("reserve")
		void reserve(Order order, JobContext context) {
			this.steps.add("reserve " + order.id() + " paid by " + context.dependencyResult("charge", String.class));
		}

		@JobHandler("email")
		void email(Order order) {
			this.steps.add("email " + order.id());
		}

		@JobHandler("ship")
		void ship(Order order) {
			this.steps.add("ship " + order.id());
		}

		@JobHandler("batch-report")
		void batchReport(String name, JobContext context) {
			JobGroup batch = context.batch().orElseThrow();
			this.batchReports.add(name + ": " + batch.count(JobState.SUCCEEDED) + " of " + batch.total() + " succeeded");
		}

		@JobHandler(value = "tick", cron = "* * * * * *", missedRuns = "skip")
		void tick() {
			this.ticks.incrementAndGet();
		}

	}

}
