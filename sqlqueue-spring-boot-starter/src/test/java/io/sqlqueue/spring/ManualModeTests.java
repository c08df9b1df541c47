package io.sqlqueue.spring;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobState;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sqlqueue.worker.mode=manual}: the worker is built with every handler and schedule but starts no thread,
 * and jobs run when a test drains it.
 */
class ManualModeTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class))
		.withUserConfiguration(Handlers.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void autoIsTheDefaultAndStartsTheWorker() {
		this.runner.run((context) -> {
			assertThat(context.getBean(SqlQueueProperties.class).getWorker().getMode())
				.isEqualTo(SqlQueueProperties.Mode.AUTO);
			assertThat(context.getBean(JobHandlerRegistry.class).worker())
				.hasValueSatisfying((worker) -> assertThat(worker.isRunning()).isTrue());
		});
	}

	@Test
	void manualModeBuildsTheWorkerButStartsNoThreadAndRunsJobsOnlyWhenDrained() {
		// threads of contexts that earlier tests closed may still be ending: only new ones count
		Set<Thread> before = sqlqueueThreads();
		this.runner.withPropertyValues("sqlqueue.worker.mode=manual", "sqlqueue.schedules.nightly.cron=0 0 2 * * *",
				"sqlqueue.schedules.nightly.type=greet", "sqlqueue.schedules.nightly.payload.name=night")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JobHandlerRegistry registry = context.getBean(JobHandlerRegistry.class);
				JobWorker worker = registry.worker().orElseThrow();
				assertThat(worker.isRunning()).isFalse();
				assertThat(registry.isRunning()).isTrue();
				assertThat(worker.handlers()).containsOnlyKeys("greet");
				assertThat(worker.schedules()).extracting("name").containsExactly("nightly");
				assertThat(sqlqueueThreads()).isSubsetOf(before);

				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				long now = queue.enqueue(new Greeting("ada"));
				long later = queue.enqueue(new Greeting("bob"), EnqueueOptions.defaults().withDelay(Duration.ofMinutes(5)));
				List<JobRun> runs = worker.drain();

				assertThat(runs).extracting(JobRun::id).containsExactly(now);
				assertThat(runs).extracting(JobRun::outcome).containsExactly(Outcome.SUCCEEDED);
				assertThat(context.getBean(Handlers.class).greeted).containsExactly("ada");
				assertThat(queue.find(later).orElseThrow().state()).isEqualTo(JobState.READY);
				assertThat(sqlqueueThreads()).isSubsetOf(before);
			});
	}

	@Test
	void modeIsReadIgnoringCase() {
		this.runner.withPropertyValues("sqlqueue.worker.mode=MANUAL")
			.run((context) -> assertThat(context.getBean(JobHandlerRegistry.class).worker().orElseThrow().isRunning())
				.isFalse());
	}

	/** The threads of this JVM that a started worker would have (fetch, handlers, completer, heartbeat, listener). */
	private static Set<Thread> sqlqueueThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith("sqlqueue-"))
			.collect(Collectors.toSet());
	}

	record Greeting(String name) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		final List<String> greeted = new CopyOnWriteArrayList<>();

		@Bean
		GreetingHandler greetingHandler() {
			return new GreetingHandler(this.greeted);
		}

	}

	static class GreetingHandler {

		private final List<String> greeted;

		GreetingHandler(List<String> greeted) {
			this.greeted = greeted;
		}

		@JobHandler("greet")
		void greet(Greeting greeting) {
			this.greeted.add(greeting.name());
		}

	}

}
