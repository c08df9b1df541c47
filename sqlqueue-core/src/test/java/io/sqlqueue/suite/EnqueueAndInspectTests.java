package io.sqlqueue.suite;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Enqueueing, inspecting and administering jobs without a worker, on every database. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class EnqueueAndInspectTests {

	record Email(String to, String subject) {
	}

	@Parameter
	TestDatabase db;

	DataSource dataSource;

	JdbcJobQueue jobs;

	@BeforeEach
	void setUp() {
		QueueFixture fixture = QueueFixture.fresh(this.db);
		this.dataSource = fixture.dataSource();
		this.jobs = fixture.queue();
	}

	@Test
	void enqueuedJobIsReadyWithEverythingItWasGiven() {
		Instant before = this.jobs.databaseTime();
		long id = this.jobs.enqueue("send-email", new Email("ada@example.com", "Welcome"), EnqueueOptions.defaults()
			.withQueue("mail")
			.withPriority(7)
			.withMaxAttempts(3)
			.withMetadata("tenant", "acme"));

		Job job = this.jobs.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.READY);
		assertThat(job.queue()).isEqualTo("mail");
		assertThat(job.type()).isEqualTo("send-email");
		assertThat(job.payload()).contains("\"to\"").contains("ada@example.com").contains("Welcome");
		assertThat(job.priority()).isEqualTo(7);
		assertThat(job.maxAttempts()).isEqualTo(3);
		assertThat(job.attempt()).isZero();
		assertThat(job.metadata()).containsExactly(Map.entry("tenant", "acme"));
		assertThat(job.lockedBy()).isNull();
		assertThat(job.lastError()).isNull();
		assertThat(job.finishedAt()).isNull();
		assertThat(job.createdAt()).isCloseTo(before, within(Duration.ofSeconds(5)));
		assertThat(job.runAt()).isCloseTo(job.createdAt(), within(Duration.ofSeconds(1)));
	}

	@Test
	void defaultsAreTheDefaultQueuePriorityZeroAndTenAttempts() {
		Job job = this.jobs.find(this.jobs.enqueue("noop", Map.of())).orElseThrow();

		assertThat(job.queue()).isEqualTo("default");
		assertThat(job.priority()).isZero();
		assertThat(job.maxAttempts()).isEqualTo(10);
		assertThat(job.metadata()).isEmpty();
	}

	@Test
	void delayAndRunAtAreStoredOnTheDatabaseClock() {
		long delayed = this.jobs.enqueue("noop", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofMinutes(5)));
		Instant at = Instant.parse("2031-01-02T03:04:05Z");
		long scheduled = this.jobs.enqueue("noop", Map.of(), EnqueueOptions.defaults().withRunAt(at));

		Job delayedJob = this.jobs.find(delayed).orElseThrow();
		assertThat(Duration.between(delayedJob.createdAt(), delayedJob.runAt()))
			.isBetween(Duration.ofMinutes(5).minusSeconds(1), Duration.ofMinutes(5).plusSeconds(1));
		assertThat(this.jobs.find(scheduled).orElseThrow().runAt()).isEqualTo(at);
	}

	@Test
	void findOfAnUnknownIdIsEmpty() {
		assertThat(this.jobs.find(987_654_321L)).isEmpty();
	}

	@Test
	void listFiltersByQueueStateAndTypeAndPagesById() {
		long a1 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long b1 = this.jobs.enqueue("b", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long a2 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q2"));
		long a3 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		this.jobs.cancel(a3);

		assertThat(ids(this.jobs.list(JobQuery.all()))).containsExactly(a1, b1, a2, a3);
		assertThat(ids(this.jobs.list("q1", JobState.READY, 10))).containsExactly(a1, b1);
		assertThat(ids(this.jobs.list(JobQuery.all().inState(JobState.CANCELLED)))).containsExactly(a3);
		assertThat(ids(this.jobs.list(JobQuery.all().ofType("a").inQueue("q1")))).containsExactly(a1, a3);
		assertThat(ids(this.jobs.list(JobQuery.all().limit(2)))).containsExactly(a1, b1);
		assertThat(ids(this.jobs.list(JobQuery.all().afterId(b1).limit(2)))).containsExactly(a2, a3);
	}

	@Test
	void listPagesNewestFirstAndFindsAUniqueKeyInAnyState() {
		long a1 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1").withUniqueKey("order-1"));
		long b1 = this.jobs.enqueue("b", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long a2 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q2"));
		long a3 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		this.jobs.cancel(a1);

		JobQuery newest = JobQuery.all().newestFirst().limit(2);
		assertThat(ids(this.jobs.list(newest))).containsExactly(a3, a2);
		assertThat(ids(this.jobs.list(newest.beforeId(a2)))).containsExactly(b1, a1);
		assertThat(ids(this.jobs.list(newest.beforeId(a1)))).isEmpty();
		assertThat(ids(this.jobs.list(JobQuery.all().newestFirst().inQueue("q1").ofType("a")))).containsExactly(a3, a1);
		assertThat(ids(this.jobs.list(JobQuery.all().newestFirst().inState(JobState.READY).beforeId(a3))))
			.containsExactly(a2, b1);
		assertThat(ids(this.jobs.list(JobQuery.all().withUniqueKey("order-1")))).containsExactly(a1);
		assertThat(ids(this.jobs.list(JobQuery.all().withUniqueKey("order-2")))).isEmpty();
	}

	@Test
	void listFindsAJobsChildrenInAnyState() {
		long parent = this.jobs.enqueue("a", Map.of());
		long waiting = this.jobs.enqueue("b", Map.of(), EnqueueOptions.defaults().withParent(parent));
		long cancelled = this.jobs.enqueue("b", Map.of(), EnqueueOptions.defaults().withParent(parent));
		this.jobs.enqueue("b", Map.of(), EnqueueOptions.defaults().withParent(waiting));
		this.jobs.cancel(cancelled);

		assertThat(this.jobs.find(waiting).orElseThrow().state()).isEqualTo(JobState.WAITING);
		assertThat(ids(this.jobs.list(JobQuery.all().childrenOf(parent).newestFirst()))).containsExactly(cancelled, waiting);
		assertThat(ids(this.jobs.list(JobQuery.all().childrenOf(parent).inState(JobState.WAITING)))).containsExactly(waiting);
		assertThat(ids(this.jobs.list(JobQuery.all().childrenOf(cancelled)))).isEmpty();
	}

	@Test
	void listFindsJobsByAMetadataValue() {
		long acme = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withMetadata("tenant", "acme"));
		long acmeOrder = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults()
			.withMetadata(Map.of("tenant", "acme", "order", "50%_off!")));
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withMetadata("tenant", "acme-corp"));
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withMetadata("xtenant", "acme"));
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withMetadata("note", "\"tenant\":\"acme\""));
		this.jobs.enqueue("a", Map.of());

		assertThat(ids(this.jobs.list(JobQuery.all().withMetadata("tenant", "acme")))).containsExactly(acme, acmeOrder);
		assertThat(ids(this.jobs.list(JobQuery.all().withMetadata("order", "50%_off!")))).containsExactly(acmeOrder);
		assertThat(ids(this.jobs.list(JobQuery.all().withMetadata("order", "50%")))).isEmpty();
		assertThat(ids(this.jobs.list(JobQuery.all().withMetadata("tenant", "acme").newestFirst().limit(1))))
			.containsExactly(acmeOrder);
	}

	@Test
	void deleteRemovesOnlyFinishedJobs() {
		long ready = this.jobs.enqueue("a", Map.of());
		long cancelled = this.jobs.enqueue("a", Map.of());
		long dead = this.jobs.enqueue("a", Map.of());
		this.jobs.cancel(cancelled);
		this.jobs.kill(dead, "bad data");

		assertThat(this.jobs.delete(ready)).isFalse();
		assertThat(this.jobs.delete(cancelled)).isTrue();
		assertThat(this.jobs.delete(dead)).isTrue();
		assertThat(this.jobs.delete(dead)).isFalse();
		assertThat(ids(this.jobs.list(JobQuery.all()))).containsExactly(ready);
	}

	@Test
	void countByQueueAndState() {
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long cancelled = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q2"));
		this.jobs.cancel(cancelled);

		assertThat(this.jobs.count("q1", JobState.READY)).isEqualTo(2);
		assertThat(this.jobs.count("q1", JobState.CANCELLED)).isEqualTo(1);
		assertThat(this.jobs.count("q1", null)).isEqualTo(3);
		assertThat(this.jobs.count(null, JobState.READY)).isEqualTo(3);
		assertThat(this.jobs.count(null, null)).isEqualTo(4);
		assertThat(this.jobs.count("empty", JobState.READY)).isZero();
		// every state of every queue, as the endpoint and the gauges list them, not only those with jobs
		assertThat(this.jobs.countByQueueAndState()).containsOnlyKeys("q1", "q2")
			.containsEntry("q1", Map.of(JobState.READY, 2L, JobState.RUNNING, 0L, JobState.SUCCEEDED, 0L, JobState.DEAD, 0L,
					JobState.CANCELLED, 1L, JobState.WAITING, 0L))
			.containsEntry("q2", Map.of(JobState.READY, 1L, JobState.RUNNING, 0L, JobState.SUCCEEDED, 0L, JobState.DEAD, 0L,
					JobState.CANCELLED, 0L, JobState.WAITING, 0L));
	}

	@Test
	void cancelFinishesAReadyJobOnceOnly() {
		long id = this.jobs.enqueue("a", Map.of());

		assertThat(this.jobs.cancel(id)).isTrue();
		Job job = this.jobs.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.CANCELLED);
		assertThat(job.finishedAt()).isNotNull();
		assertThat(this.jobs.cancel(id)).isFalse();
		assertThat(this.jobs.cancel(987_654_321L)).isFalse();
	}

	@Test
	void retryDeadReplaysADeadJobWithFreshAttemptsKeepingItsError() {
		long id = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withMaxAttempts(2));
		this.jobs.kill(id, "bad data");
		long ready = this.jobs.enqueue("a", Map.of());

		assertThat(this.jobs.retryDead(ready)).isFalse();
		assertThat(this.jobs.retryDead(id)).isTrue();
		Job replayed = this.jobs.find(id).orElseThrow();
		assertThat(replayed.state()).isEqualTo(JobState.READY);
		assertThat(replayed.finishedAt()).isNull();
		assertThat(replayed.lastError()).contains("bad data");
		assertThat(replayed.maxAttempts() - replayed.attempt()).isEqualTo(2);
		assertThat(replayed.runAt()).isBeforeOrEqualTo(this.jobs.databaseTime());
		assertThat(this.jobs.retryDead(id)).isFalse();
	}

	@Test
	void retryDeadInQueueReplaysOnlyThatQueue() {
		long q1a = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long q1b = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q1"));
		long q2 = this.jobs.enqueue("a", Map.of(), EnqueueOptions.defaults().withQueue("q2"));
		for (long id : List.of(q1a, q1b, q2)) {
			this.jobs.kill(id, "broken");
		}

		assertThat(this.jobs.retryDeadInQueue("q1")).isEqualTo(2);
		assertThat(this.jobs.find(q1a).orElseThrow().state()).isEqualTo(JobState.READY);
		assertThat(this.jobs.find(q1b).orElseThrow().state()).isEqualTo(JobState.READY);
		assertThat(this.jobs.find(q2).orElseThrow().state()).isEqualTo(JobState.DEAD);
		assertThat(this.jobs.retryDeadInQueue("q1")).isZero();
	}

	@Test
	void purgeDeletesOnlyFinishedJobsOfThatStateOlderThanTheCutoff() throws InterruptedException {
		long cancelled1 = this.jobs.enqueue("a", Map.of());
		long cancelled2 = this.jobs.enqueue("a", Map.of());
		long dead = this.jobs.enqueue("a", Map.of());
		long ready = this.jobs.enqueue("a", Map.of());
		this.jobs.cancel(cancelled1);
		this.jobs.cancel(cancelled2);
		this.jobs.kill(dead, "broken");

		assertThat(this.jobs.purge(JobState.CANCELLED, Duration.ofHours(1))).isZero();
		Thread.sleep(50);
		assertThat(this.jobs.purge(JobState.CANCELLED, Duration.ZERO)).isEqualTo(2);

		assertThat(this.jobs.find(cancelled1)).isEmpty();
		assertThat(this.jobs.find(cancelled2)).isEmpty();
		assertThat(this.jobs.find(dead)).isPresent();
		assertThat(this.jobs.find(ready)).isPresent();
	}

	@Test
	void enqueueAllInsertsEveryJobInOrderInOneGo() {
		List<JobRequest> requests = List.of(JobRequest.of("a", Map.of("n", 1)),
				JobRequest.of("b", Map.of("n", 2), EnqueueOptions.defaults().withQueue("other").withPriority(3)),
				JobRequest.of("a", Map.of("n", 3), EnqueueOptions.defaults().withDelay(Duration.ofMinutes(1))));

		List<Long> ids = this.jobs.enqueueAll(requests);

		assertThat(ids).hasSize(3).doesNotHaveDuplicates().isSorted();
		Job first = this.jobs.find(ids.get(0)).orElseThrow();
		Job second = this.jobs.find(ids.get(1)).orElseThrow();
		Job third = this.jobs.find(ids.get(2)).orElseThrow();
		assertThat(first.type()).isEqualTo("a");
		assertThat(first.payload()).contains("1");
		assertThat(second.queue()).isEqualTo("other");
		assertThat(second.priority()).isEqualTo(3);
		assertThat(Duration.between(third.createdAt(), third.runAt())).isGreaterThan(Duration.ofSeconds(55));
		assertThat(this.jobs.enqueueAll(List.of())).isEmpty();
	}

	@Test
	void enqueueAllOfAThousandJobsReturnsEveryId() {
		List<JobRequest> requests = java.util.stream.IntStream.range(0, 1000)
			.mapToObj((i) -> JobRequest.of("bulk", Map.of("n", i)))
			.toList();

		List<Long> ids = this.jobs.enqueueAll(requests);

		assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
		assertThat(this.jobs.count("default", JobState.READY)).isEqualTo(1000);
		assertThat(this.jobs.find(ids.get(999)).orElseThrow().payload()).contains("999");
	}

	@Test
	void enqueueInARolledBackTransactionLeavesNoJob() {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));

		transaction.executeWithoutResult((status) -> {
			this.jobs.enqueue("a", Map.of());
			this.jobs.enqueueAll(List.of(JobRequest.of("b", Map.of()), JobRequest.of("b", Map.of())));
			assertThat(this.jobs.count(null, null)).as("visible inside its own transaction").isEqualTo(3);
			status.setRollbackOnly();
		});

		assertThat(this.jobs.count(null, null)).isZero();
	}

	@Test
	void enqueueInACommittedTransactionKeepsTheJobWithTheBusinessRow() {
		JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);
		jdbc.execute("DROP TABLE IF EXISTS suite_order");
		jdbc.execute("CREATE TABLE suite_order (id INTEGER PRIMARY KEY)");
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));

		long id = transaction.execute((status) -> {
			jdbc.update("INSERT INTO suite_order (id) VALUES (1)");
			return this.jobs.enqueue("ship-order", Map.of("order", 1));
		});
		try {
			transaction.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO suite_order (id) VALUES (2)");
				this.jobs.enqueue("ship-order", Map.of("order", 2));
				throw new IllegalStateException("payment declined");
			});
		}
		catch (IllegalStateException expected) {
			// the business transaction failed: its job must go with it
		}

		assertThat(this.jobs.find(id)).map(Job::state).contains(JobState.READY);
		assertThat(this.jobs.count(null, null)).isEqualTo(1);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM suite_order", Integer.class)).isEqualTo(1);
		jdbc.execute("DROP TABLE suite_order");
	}

	private static List<Long> ids(List<Job> jobs) {
		return jobs.stream().map(Job::id).toList();
	}

}
