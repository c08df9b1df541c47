package io.sqlqueue.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;
import io.sqlqueue.worker.WorkerHealth;

/**
 * Issue 21: when the outcomes of finished runs cannot be written (here another transaction holds locks on
 * jobs that ran), a node does not go on claiming. Handlers wait to hand their outcome over once the backlog
 * is full, the node claims nothing more, its health and log say why, and once the cause goes every job is
 * recorded, each having run once.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB", "H2" })
class OutcomeBackPressureTests {

	private static final int BACKLOG = 20;

	private static final int CONCURRENCY = 4;

	private static final int BATCH = 10;

	@Parameter
	TestDatabase db;

	private JobWorker worker;

	private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

	private final Logger completerLogger = (Logger) LoggerFactory.getLogger(Completer.class);

	@AfterEach
	void tearDown() {
		if (this.worker != null) {
			this.worker.stop(Duration.ofSeconds(10));
		}
		this.completerLogger.detachAppender(this.logged);
	}

	@Test
	void outcomesThatCannotBeWrittenStopClaimingAtTheBacklogAndAreWrittenOnceTheCauseGoes() throws Exception {
		DataSource dataSource = TestDatabases.fresh(this.db);
		JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).build();
		this.logged.start();
		this.completerLogger.addAppender(this.logged);
		Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
		CountDownLatch firstRunsStarted = new CountDownLatch(CONCURRENCY);
		CountDownLatch firstRunsMayEnd = new CountDownLatch(1);
		this.worker = JobWorker.builder(jobs)
			.maintenance(false)
			.outcomeBacklog(BACKLOG)
			.queue("default", QueueSettings.defaults().withConcurrency(CONCURRENCY).withBatchSize(BATCH)
				.withLease(Duration.ofSeconds(6)).withPollInterval(Duration.ofMillis(50)))
			.handler(HandlerSpec.of("work", Map.class, (payload, ctx) -> {
				runs.computeIfAbsent(ctx.id(), (id) -> new AtomicInteger()).incrementAndGet();
				if (firstRunsStarted.getCount() > 0) {
					firstRunsStarted.countDown();
					firstRunsMayEnd.await();
				}
			}))
			.build();
		List<JobRequest> requests = new ArrayList<>();
		for (int n = 0; n < 200; n++) {
			requests.add(JobRequest.of("work", Map.of("n", n)));
		}
		jobs.enqueueAll(requests);
		this.worker.start();
		assertThat(firstRunsStarted.await(30, TimeUnit.SECONDS)).isTrue();

		List<Long> holding = jobs.list(JobQuery.all().inState(JobState.RUNNING)).stream().map(Job::id).toList();
		try (Connection blocker = dataSource.getConnection()) {
			blocker.setAutoCommit(false);
			blocker.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
			try (Statement statement = blocker.createStatement()) {
				// the jobs running now, by primary key: their outcomes cannot be written while this transaction
				// holds them, and no other row is locked
				statement.executeQuery("SELECT id FROM " + jobs.jobTable() + " WHERE id IN ("
						+ holding.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ") FOR UPDATE").close();
			}
			firstRunsMayEnd.countDown();

			await().atMost(Duration.ofSeconds(30)).until(() -> this.worker.health().outcomesWaiting() == BACKLOG);
			// the backlog is full: handlers holding a finished run wait, and the producer claims nothing more
			long running = jobs.count("default", JobState.RUNNING);
			int ran = runs.size();
			System.out.printf("%s: with the outcome writes blocked, %d jobs ran and %d are RUNNING (backlog %d,"
					+ " %d handlers, claim batch %d)%n", this.db, ran, running, BACKLOG, CONCURRENCY, BATCH);
			assertThat(ran).as("runs, unrecorded: the backlog and one more per handler").isLessThanOrEqualTo(BACKLOG + CONCURRENCY);
			assertThat(running).as("jobs claimed and not recorded").isLessThanOrEqualTo(BACKLOG + CONCURRENCY + BATCH);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				WorkerHealth health = this.worker.health();
				assertThat(health.outcomesStalled()).as("%s", health).isTrue();
				assertThat(health.isHealthy()).isFalse();
			});
			blocker.rollback();
		}

		await().atMost(Duration.ofSeconds(60)).until(() -> jobs.count("default", JobState.SUCCEEDED) == 200);
		assertThat(runs).hasSize(200).allSatisfy((id, count) -> assertThat(count).as("runs of job %d", id).hasValue(1));
		assertThat(this.worker.health().isHealthy()).isTrue();
		assertThat(this.logged.list).filteredOn((event) -> event.getLevel() == Level.WARN)
			.anySatisfy((event) -> assertThat(event.getFormattedMessage()).contains("ms to write the outcomes of",
					"jobSetStateIfRunningMany"));
	}

}
