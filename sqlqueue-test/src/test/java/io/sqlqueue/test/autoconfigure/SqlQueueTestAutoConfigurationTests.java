package io.sqlqueue.test.autoconfigure;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.spring.JobHandler;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;
import io.sqlqueue.test.SqlQueueTester;
import io.sqlqueue.worker.JobRun;

import static org.assertj.core.api.Assertions.assertThat;

/** With the starter, a SqlQueueTester bean on the application's queue and the starter's worker. */
class SqlQueueTestAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class,
				SqlQueueTestAutoConfiguration.class))
		.withUserConfiguration(Handlers.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"sqlqueue.worker.mode=manual");

	@Test
	void providesATesterThatDrainsTheStartersWorkerThroughTheAnnotatedHandlers() {
		this.runner.run((context) -> {
			SqlQueueTester tester = context.getBean(SqlQueueTester.class);
			assertThat(tester.queue()).isSameAs(context.getBean(JdbcJobQueue.class));
			tester.queue().enqueue(new Greeting("ada"));

			tester.assertThat().hasEnqueued(Greeting.class, (greeting) -> greeting.name().equals("ada"));
			assertThat(tester.drain()).extracting(JobRun::outcome).containsExactly(Outcome.SUCCEEDED);
			assertThat(context.getBean(Handlers.class).greeted).containsExactly("ada");
			assertThat(tester.perform("greet", new Greeting("bob")).outcome()).isEqualTo(Outcome.SUCCEEDED);
			assertThat(context.getBean(Handlers.class).greeted).containsExactly("ada", "bob");
		});
	}

	@Test
	void backsOffWithoutTheStarter() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SqlQueueTestAutoConfiguration.class))
			.withUserConfiguration(OwnQueue.class)
			.withClassLoader(new FilteredClassLoader("io.sqlqueue.spring."))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(JdbcJobQueue.class);
				assertThat(context).doesNotHaveBean(SqlQueueTester.class);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnQueue {

		@Bean
		JdbcJobQueue jobQueue() {
			return JdbcJobQueue.builder(new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:" + UUID.randomUUID()))
				.build();
		}

	}

	record Greeting(String name) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		final List<String> greeted = new CopyOnWriteArrayList<>();

		@Bean
		Greeter greeter() {
			return new Greeter(this.greeted);
		}

	}

	static class Greeter {

		private final List<String> greeted;

		Greeter(List<String> greeted) {
			this.greeted = greeted;
		}

		@JobHandler("greet")
		void greet(Greeting greeting) {
			this.greeted.add(greeting.name());
		}

	}

}
