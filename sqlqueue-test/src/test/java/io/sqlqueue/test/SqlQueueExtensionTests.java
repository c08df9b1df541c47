package io.sqlqueue.test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;

/** The JUnit extension gives each test a migrated database, a queue, and a worker that is not started. */
class SqlQueueExtensionTests {

	static final List<String> greeted = new CopyOnWriteArrayList<>();

	@RegisterExtension
	static SqlQueueExtension sqlqueue = SqlQueueExtension.withDataSource(SqlQueueExtensionTests::freshH2)
		.worker((worker) -> worker.handler("greet", String.class, (name, ctx) -> greeted.add(name)));

	static HikariDataSource freshH2() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID());
		return dataSource;
	}

	@Test
	void injectsTheTesterTheQueueAndTheWorker(SqlQueueTester tester, JdbcJobQueue queue, JobWorker worker) {
		assertThat(tester.queue()).isSameAs(queue).isSameAs(sqlqueue.tester().queue());
		assertThat(tester.worker()).isSameAs(worker);
		assertThat(worker.isRunning()).isFalse();
		assertThat(worker.handlers()).containsOnlyKeys("greet");
	}

	@Test
	void runsJobsWhenDrainedAndDelayedOnesOnceTheClockIsAdvanced(SqlQueueTester tester) {
		greeted.clear();
		tester.queue().enqueue("greet", "Ada");
		tester.queue().enqueue("greet", "Bob", EnqueueOptions.defaults().withDelay(Duration.ofDays(1)));

		assertThat(tester.drain()).extracting(JobRun::outcome).containsExactly(Outcome.SUCCEEDED);
		tester.assertThat().hasEnqueuedExactly(1, "greet");
		assertThat(tester.advanceAndDrain(Duration.ofDays(1))).hasSize(1);
		assertThat(greeted).containsExactly("Ada", "Bob");
	}

	@Test
	void eachTestHasADatabaseOfItsOwn(SqlQueueTester tester) {
		tester.assertThat().hasNothingEnqueued();
		assertThat(tester.allJobs()).isEmpty();
		tester.queue().enqueue("greet", "Eve");
	}

}
