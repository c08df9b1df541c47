package io.sqlqueue.suite;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.DuplicateJobException;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.EnqueueOptions.UniquePolicy;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Unique keys: one READY or RUNNING job per key; a finished job frees it. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class UniqueKeyTests {

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue jobs;

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.jobs = this.fixture.queue();
	}

	@AfterEach
	void tearDown() {
		this.fixture.close();
	}

	@Test
	void aSecondEnqueueWithTheKeyReturnsTheExistingJob() {
		long first = this.jobs.enqueue("welcome", Map.of("user", 1), unique("welcome-1"));
		long second = this.jobs.enqueue("welcome", Map.of("user", 1), unique("welcome-1"));
		long other = this.jobs.enqueue("welcome", Map.of("user", 2), unique("welcome-2"));

		assertThat(second).isEqualTo(first);
		assertThat(other).isNotEqualTo(first);
		assertThat(this.jobs.count(null, null)).isEqualTo(2);
		assertThat(this.fixture.job(first).uniqueKey()).isEqualTo("welcome-1");
	}

	@Test
	void rejectThrowsNamingTheKeyAndTheJobHoldingIt() {
		long first = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1"));

		assertThatExceptionOfType(DuplicateJobException.class)
			.isThrownBy(() -> this.jobs.enqueue("welcome", Map.of(),
					EnqueueOptions.defaults().withUniqueKey("welcome-1", UniquePolicy.REJECT)))
			.satisfies((ex) -> {
				assertThat(ex.getUniqueKey()).isEqualTo("welcome-1");
				assertThat(ex.getExistingJobId()).isEqualTo(first);
			})
			.withMessageContaining("welcome-1")
			.withMessageContaining(String.valueOf(first));
		assertThat(this.jobs.count(null, null)).isEqualTo(1);
	}

	@Test
	void aRunningJobStillHoldsItsKey() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("welcome", Map.class, (payload, ctx) -> {
			started.countDown();
			release.await(30, TimeUnit.SECONDS);
		})));
		long first = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1"));
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		long second = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1"));
		release.countDown();

		assertThat(second).isEqualTo(first);
		this.fixture.awaitState(first, JobState.SUCCEEDED);
		assertThat(this.jobs.count(null, null)).isEqualTo(1);
	}

	@Test
	void aSucceededJobFreesItsKey() {
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("welcome", Map.class, (payload, ctx) -> {
		})));
		long first = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1"));
		this.fixture.awaitState(first, JobState.SUCCEEDED);

		long second = this.jobs.enqueue("welcome", Map.of(), EnqueueOptions.defaults()
			.withUniqueKey("welcome-1", UniquePolicy.REJECT));

		assertThat(second).isNotEqualTo(first);
		assertThat(this.fixture.state(second)).isIn(JobState.READY, JobState.RUNNING, JobState.SUCCEEDED);
	}

	@Test
	void cancelledAndDeadJobsFreeTheirKeys() {
		long cancelled = this.jobs.enqueue("welcome", Map.of(), unique("key-a"));
		long dead = this.jobs.enqueue("welcome", Map.of(), unique("key-b"));
		this.jobs.cancel(cancelled);
		this.jobs.kill(dead, "broken");

		assertThat(this.jobs.enqueue("welcome", Map.of(), unique("key-a"))).isNotEqualTo(cancelled);
		assertThat(this.jobs.enqueue("welcome", Map.of(), unique("key-b"))).isNotEqualTo(dead);
		assertThat(this.jobs.count(null, JobState.READY)).isEqualTo(2);
	}

	@Test
	void aDuplicateInsideATransactionDoesNotBreakIt() {
		TransactionTemplate transaction = new TransactionTemplate(
				new DataSourceTransactionManager(this.fixture.dataSource()));

		List<Long> ids = transaction.execute((status) -> List.of(
				this.jobs.enqueue("welcome", Map.of(), unique("welcome-1")),
				this.jobs.enqueue("welcome", Map.of(), unique("welcome-1")),
				this.jobs.enqueue("other", Map.of())));

		assertThat(ids.get(1)).isEqualTo(ids.get(0));
		assertThat(this.jobs.count(null, null)).as("the transaction committed both distinct jobs").isEqualTo(2);
	}

	@Test
	void enqueueAllWithKeysReturnsTheExistingIds() {
		long existing = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1"));

		List<Long> ids = this.jobs.enqueueAll(List.of(JobRequest.of("welcome", Map.of(), unique("welcome-1")),
				JobRequest.of("welcome", Map.of(), unique("welcome-2")), JobRequest.of("plain", Map.of())));

		assertThat(ids.get(0)).isEqualTo(existing);
		assertThat(ids.get(1)).isNotEqualTo(existing);
		assertThat(this.jobs.count(null, null)).isEqualTo(3);
	}

	@Test
	void replayingADeadJobWhoseKeyIsTakenAgainLeavesItDeadAndReplaysTheOthers() {
		long dead = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1").withQueue("mail"));
		long otherDead = this.jobs.enqueue("welcome", Map.of(), unique("welcome-2").withQueue("mail"));
		this.jobs.kill(dead, "smtp down");
		this.jobs.kill(otherDead, "smtp down");
		long holder = this.jobs.enqueue("welcome", Map.of(), unique("welcome-1").withQueue("mail"));

		assertThat(this.jobs.retryDead(dead)).as("its key is held by job %d", holder).isFalse();
		assertThat(this.jobs.retryDeadInQueue("mail")).isEqualTo(1);

		assertThat(this.fixture.state(dead)).isEqualTo(JobState.DEAD);
		assertThat(this.fixture.state(otherDead)).isEqualTo(JobState.READY);
		assertThat(this.fixture.state(holder)).isEqualTo(JobState.READY);
	}

	@Test
	void concurrentEnqueuesWithOneKeyCreateOneJob() throws Exception {
		int threads = 8;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Long>> results = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				results.add(pool.submit(() -> {
					go.await();
					return this.jobs.enqueue("welcome", Map.of(), unique("contended"));
				}));
			}
			go.countDown();
			Set<Long> ids = new HashSet<>();
			for (Future<Long> result : results) {
				ids.add(result.get(30, TimeUnit.SECONDS));
			}

			assertThat(ids).hasSize(1);
			assertThat(this.jobs.count(null, null)).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static EnqueueOptions unique(String key) {
		return EnqueueOptions.defaults().withUniqueKey(key);
	}

}
