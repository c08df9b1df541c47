package io.sqlqueue.suite;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Claiming: concurrent workers run each job once, in priority, run-at and id order, never early. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ClaimTests {

	record Numbered(int n) {
	}

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
	void threeWorkersWithFourThreadsEachRunEveryJobExactlyOnce() {
		int total = 3000;
		Map<Long, AtomicInteger> executions = new ConcurrentHashMap<>();
		Map<String, AtomicInteger> perWorker = new ConcurrentHashMap<>();
		for (int w = 0; w < 3; w++) {
			String workerId = "drain-worker-" + w;
			this.fixture.start(this.fixture.worker().workerId(workerId)
				.defaults(QueueFixture.FAST.withConcurrency(4).withBatchSize(10))
				.handler(HandlerSpec.of("drain", Numbered.class, (payload, ctx) -> {
					executions.computeIfAbsent(ctx.id(), (id) -> new AtomicInteger()).incrementAndGet();
					perWorker.computeIfAbsent(workerId, (id) -> new AtomicInteger()).incrementAndGet();
				})));
		}
		// enqueued once all three are idle, so that they start level: enqueued before, the first two
		// workers once drained all 3,000 jobs on SQLite before the third had started
		List<Long> ids = this.jobs.enqueueAll(IntStream.range(0, total)
			.mapToObj((i) -> JobRequest.of("drain", new Numbered(i)))
			.toList());

		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.jobs.count("default", JobState.SUCCEEDED) == total);

		assertThat(executions.keySet()).containsExactlyInAnyOrderElementsOf(ids);
		assertThat(executions.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
		assertThat(perWorker.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(total);
		assertThat(perWorker).as("every worker took part").hasSize(3);
		assertThat(this.jobs.list("default", JobState.SUCCEEDED, 10_000))
			.allSatisfy((job) -> assertThat(job.attempt()).isEqualTo(1));
	}

	@Test
	void jobsRunByPriorityThenRunAtThenId() {
		Instant now = this.jobs.databaseTime();
		List<Long> expected = new ArrayList<>();
		long lowOld = this.jobs.enqueue("ordered", Map.of(), atPriority(0, now.minusSeconds(30)));
		long lowNew1 = this.jobs.enqueue("ordered", Map.of(), atPriority(0, now.minusSeconds(10)));
		long lowNew2 = this.jobs.enqueue("ordered", Map.of(), atPriority(0, now.minusSeconds(10)));
		long high = this.jobs.enqueue("ordered", Map.of(), atPriority(5, now.minusSeconds(1)));
		long negative = this.jobs.enqueue("ordered", Map.of(), atPriority(-3, now.minusSeconds(60)));
		long middleNew = this.jobs.enqueue("ordered", Map.of(), atPriority(2, now.minusSeconds(5)));
		long middleOld = this.jobs.enqueue("ordered", Map.of(), atPriority(2, now.minusSeconds(20)));
		Collections.addAll(expected, high, middleOld, middleNew, lowOld, lowNew1, lowNew2, negative);
		List<Long> order = new CopyOnWriteArrayList<>();

		this.fixture.start(this.fixture.worker().defaults(QueueFixture.FAST.withConcurrency(1))
			.handler(HandlerSpec.of("ordered", Map.class, (payload, ctx) -> order.add(ctx.id()))));

		await().atMost(Duration.ofSeconds(30)).until(() -> order.size() == expected.size());
		assertThat(order).containsExactlyElementsOf(expected);
	}

	@Test
	void delayedJobsDoNotRunBeforeTheirTimeOnTheDatabaseClock() {
		Map<Long, Instant> startedAt = new ConcurrentHashMap<>();
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("timed", Map.class,
				(payload, ctx) -> startedAt.put(ctx.id(), this.jobs.databaseTime()))));
		Instant runAt = this.jobs.databaseTime().plusMillis(1500);

		long delayed = this.jobs.enqueue("timed", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofMillis(1200)));
		long scheduled = this.jobs.enqueue("timed", Map.of(), EnqueueOptions.defaults().withRunAt(runAt));
		long now = this.jobs.enqueue("timed", Map.of());

		await().atMost(Duration.ofSeconds(30)).until(() -> startedAt.size() == 3);
		Job delayedJob = this.fixture.job(delayed);
		assertThat(startedAt.get(delayed)).isAfterOrEqualTo(delayedJob.createdAt().plusMillis(1200));
		assertThat(startedAt.get(scheduled)).isAfterOrEqualTo(runAt);
		assertThat(startedAt.get(now)).isBefore(startedAt.get(delayed)).isBefore(startedAt.get(scheduled));
	}

	@Test
	void aDelayedJobIsNotClaimedWhileAnotherWorkerPollsForIt() {
		long delayed = this.jobs.enqueue("later", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofHours(1)));
		List<Long> ran = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("later", Map.class, (payload, ctx) -> ran.add(ctx.id()))));
		long marker = this.jobs.enqueue("later", Map.of());
		// due 300 ms from now: the poll that claims it comes after several 50 ms polls that saw the delayed job
		long polledMarker = this.jobs.enqueue("later", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofMillis(300)));

		await().atMost(Duration.ofSeconds(30)).until(() -> ran.contains(polledMarker));

		assertThat(worker.isRunning()).isTrue();
		assertThat(ran).containsExactlyInAnyOrder(marker, polledMarker);
		Job stillDelayed = this.fixture.job(delayed);
		assertThat(stillDelayed.state()).isEqualTo(JobState.READY);
		assertThat(stillDelayed.attempt()).as("never claimed").isZero();
	}

	private static EnqueueOptions atPriority(int priority, Instant runAt) {
		return EnqueueOptions.defaults().withPriority(priority).withRunAt(runAt);
	}

}
