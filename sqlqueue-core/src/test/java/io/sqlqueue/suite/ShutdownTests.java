package io.sqlqueue.suite;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Graceful shutdown: running handlers finish within the timeout; the rest are interrupted and released. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ShutdownTests {

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
	void stopWaitsForARunningHandlerToFinish() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean completed = new AtomicBoolean();
		AtomicReference<JobWorker> running = new AtomicReference<>();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			// a lease the handler cannot outlast: no heartbeat tick interrupts it for running without heartbeats
			.defaults(QueueFixture.FAST.withLease(Duration.ofMinutes(5)))
			.handler(HandlerSpec.of("slow", Map.class, (payload, ctx) -> {
				started.countDown();
				// it ends only once stop() has begun, so stop() must have waited for it
				await().atMost(QueueFixture.PATIENCE)
					.pollInterval(Duration.ofMillis(10))
					.until(() -> !running.get().isRunning());
				completed.set(true);
			})));
		running.set(worker);
		long id = this.jobs.enqueue("slow", Map.of());
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		boolean finishedInTime = worker.stop(Duration.ofSeconds(20));

		assertThat(finishedInTime).isTrue();
		assertThat(completed).isTrue();
		assertThat(worker.isRunning()).isFalse();
		Job job = this.fixture.job(id);
		assertThat(job.state()).as("its success was recorded before stop returned").isEqualTo(JobState.SUCCEEDED);
		assertThat(job.attempt()).isEqualTo(1);
	}

	@Test
	void aHandlerStillRunningAtTheTimeoutIsInterruptedAndItsJobIsReadyAtOnce() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("stuck", Map.class, (payload, ctx) -> {
				started.countDown();
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					interrupted.set(true);
					throw ex;
				}
			})));
		// on its last attempt: a release must not count as a failure that kills it
		long id = this.jobs.enqueue("stuck", Map.of(), EnqueueOptions.defaults().withMaxAttempts(1));
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		boolean finishedInTime = worker.stop(Duration.ofMillis(300));

		assertThat(finishedInTime).isFalse();
		await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
		Job job = this.fixture.job(id);
		assertThat(job.state()).isEqualTo(JobState.READY);
		assertThat(job.attempt()).isEqualTo(1);
		assertThat(job.lockedBy()).isNull();
		assertThat(job.runAt()).isBeforeOrEqualTo(this.jobs.databaseTime());
		assertThat(job.lastError()).contains("Released unfinished by a worker shutting down");
	}

	@Test
	void aReleasedJobIsPickedUpByAnotherWorker() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		AtomicInteger secondRuns = new AtomicInteger();
		JobWorker first = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("handover", Map.class, (payload, ctx) -> {
				started.countDown();
				Thread.sleep(60_000);
			})));
		long id = this.jobs.enqueue("handover", Map.of());
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
		first.stop(Duration.ofMillis(200));

		this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("handover", Map.class, (payload, ctx) -> secondRuns.incrementAndGet())));

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(secondRuns).hasValue(1);
		assertThat(this.fixture.job(id).attempt()).isEqualTo(2);
	}

	/** A stop that lands while a claim is under way must hand the claimed jobs back, not strand them. */
	@Test
	void stoppingABusyWorkerLeavesNoJobRunning() {
		this.jobs.enqueueAll(IntStream.range(0, 2000)
			.mapToObj((i) -> JobRequest.of("quick", Map.of()))
			.toList());
		for (int round = 0; round < 3; round++) {
			long before = this.jobs.count(null, JobState.SUCCEEDED);
			JobWorker worker = this.fixture.start(this.fixture.worker()
				.defaults(QueueFixture.FAST.withConcurrency(4).withBatchSize(4))
				.handler(HandlerSpec.of("quick", Map.class, (payload, ctx) -> Thread.sleep(2))));
			await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.count(null, JobState.SUCCEEDED) > before + 20);

			assertThat(worker.stop(Duration.ofSeconds(10))).isTrue();

			assertThat(this.jobs.list(JobQuery.all().inState(JobState.RUNNING)))
				.as("round %d: jobs left RUNNING by a stopped worker", round)
				.isEmpty();
		}
	}

	@Test
	void aStoppedWorkerCanBeStartedAgain() {
		AtomicInteger runs = new AtomicInteger();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("again", Map.class, (payload, ctx) -> runs.incrementAndGet())));
		long first = this.jobs.enqueue("again", Map.of());
		this.fixture.awaitState(first, JobState.SUCCEEDED);
		assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();

		worker.start();
		long second = this.jobs.enqueue("again", Map.of());

		this.fixture.awaitState(second, JobState.SUCCEEDED);
		assertThat(worker.isRunning()).isTrue();
		assertThat(runs).hasValue(2);
	}

	@Test
	void aStoppedWorkerClaimsNothingMore() {
		Set<Thread> before = sqlqueueThreads();
		AtomicInteger runs = new AtomicInteger();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("after", Map.class, (payload, ctx) -> runs.incrementAndGet())));
		assertThat(threadsStartedSince(before)).as("the worker's own threads").isNotEmpty();
		assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();

		// with none of its threads alive, nothing of the worker is left to claim
		await().atMost(QueueFixture.PATIENCE).until(() -> threadsStartedSince(before).isEmpty());
		long id = this.jobs.enqueue("after", Map.of());

		assertThat(runs).hasValue(0);
		assertThat(this.fixture.job(id).state()).isEqualTo(JobState.READY);
	}

	/** The live threads of sqlqueue's workers and queue objects in this JVM. */
	private static Set<Thread> sqlqueueThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith("sqlqueue-"))
			.collect(Collectors.toSet());
	}

	/** The sqlqueue threads alive now that were not alive in {@code before}. */
	private static Set<Thread> threadsStartedSince(Set<Thread> before) {
		Set<Thread> started = sqlqueueThreads();
		started.removeAll(before);
		return started;
	}

}
