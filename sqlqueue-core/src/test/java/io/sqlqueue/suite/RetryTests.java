package io.sqlqueue.suite;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.DeadLetterGroup;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobAttempt;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.OutcomeCounts;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Retries: failures come back after their backoff until attempts run out, then the job is DEAD
 * with its last error; permanent failures are DEAD at once with the reason.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class RetryTests {

	record Invoice(String number, int cents) {
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
	void aJobThatKeepsFailingIsDeadAfterMaxAttemptsWithItsLastError() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ofMillis(100)), attempts, Integer.MAX_VALUE);

		long id = this.jobs.enqueue("flaky", Map.of(), EnqueueOptions.defaults().withMaxAttempts(3));

		this.fixture.awaitState(id, JobState.DEAD);
		Job dead = this.fixture.job(id);
		assertThat(attempts).containsExactly(1, 2, 3);
		assertThat(dead.attempt()).isEqualTo(3);
		assertThat(dead.finishedAt()).isNotNull();
		assertThat(dead.lastError()).contains("Out of attempts (3 of 3)")
			.contains("IllegalStateException")
			.contains("failure on attempt 3")
			.contains("at io.sqlqueue");
		assertThat(this.jobs.attempts(id)).extracting(JobAttempt::attempt, JobAttempt::outcome)
			.containsExactly(tuple(1, JobState.READY), tuple(2, JobState.READY), tuple(3, JobState.DEAD));
	}

	@Test
	void everyFailedAttemptIsKeptWithItsNodeErrorAndStackTraceAndTheSuccessAddsNone() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ofMillis(50)), attempts, 2);

		long id = this.jobs.enqueue("flaky", Map.of());

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		List<JobAttempt> failed = this.jobs.attempts(id);
		assertThat(failed).extracting(JobAttempt::attempt).containsExactly(1, 2);
		assertThat(failed).allSatisfy((attempt) -> {
			assertThat(attempt.jobId()).isEqualTo(id);
			assertThat(attempt.outcome()).isEqualTo(JobState.READY);
			assertThat(attempt.node()).isNotBlank();
			assertThat(attempt.endedAt()).isNotNull().isBeforeOrEqualTo(this.jobs.databaseTime());
			assertThat(attempt.stackTrace()).contains("IllegalStateException").contains("at io.sqlqueue");
		});
		assertThat(failed.get(0).error()).isEqualTo("java.lang.IllegalStateException: failure on attempt 1");
		assertThat(failed.get(1).error()).isEqualTo("java.lang.IllegalStateException: failure on attempt 2");
		assertThat(this.jobs.attempts(id + 1000)).isEmpty();
	}

	@Test
	void theClusterOutcomesOfASpanAreCountedFromTheTables() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ofMillis(50)), attempts, 1);
		long id = this.jobs.enqueue("flaky", Map.of());
		this.fixture.awaitState(id, JobState.SUCCEEDED);
		Instant now = this.jobs.databaseTime();

		assertThat(this.jobs.outcomeCounts(now.minus(Duration.ofMinutes(1)), now.plusSeconds(1)))
			.isEqualTo(new OutcomeCounts(1, 1, 0));
		assertThat(this.jobs.outcomeCounts(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))))
			.isEqualTo(new OutcomeCounts(0, 0, 0));
	}

	@Test
	void deadJobsAreGroupedByQueueTypeAndTheStartOfTheirError() {
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("charge", Invoice.class, (invoice, ctx) -> {
			throw new NonRetryableJobException("invoice " + invoice.number() + " was already paid");
		})));
		long first = this.jobs.enqueue("charge", new Invoice("INV-1", 100));
		long second = this.jobs.enqueue("charge", new Invoice("INV-1", 200));
		long other = this.jobs.enqueue("charge", new Invoice("INV-2", 100));
		for (long id : List.of(first, second, other)) {
			this.fixture.awaitState(id, JobState.DEAD);
		}

		List<DeadLetterGroup> groups = this.jobs.deadLetterGroups(10);
		assertThat(groups).extracting(DeadLetterGroup::count, DeadLetterGroup::newestId)
			.containsExactly(tuple(2L, Math.max(first, second)), tuple(1L, other));
		assertThat(groups.get(0).queue()).isEqualTo(JobQueue.DEFAULT_QUEUE);
		assertThat(groups.get(0).type()).isEqualTo("charge");
		assertThat(groups.get(0).error()).contains("invoice INV-1 was already paid")
			.hasSizeLessThanOrEqualTo(DeadLetterGroup.ERROR_PREFIX);
		assertThat(this.jobs.deadLetterGroups(1)).hasSize(1);
	}

	@Test
	void deletingOrPurgingAJobDeletesItsAttempts() {
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("charge", Invoice.class, (invoice, ctx) -> {
			throw new NonRetryableJobException("invoice " + invoice.number() + " was already paid");
		})));
		long deleted = this.jobs.enqueue("charge", new Invoice("INV-1", 100));
		long purged = this.jobs.enqueue("charge", new Invoice("INV-2", 100));
		this.fixture.awaitState(deleted, JobState.DEAD);
		this.fixture.awaitState(purged, JobState.DEAD);
		assertThat(this.jobs.attempts(deleted)).singleElement()
			.satisfies((attempt) -> assertThat(attempt.error()).contains("invoice INV-1 was already paid"));

		assertThat(this.jobs.delete(deleted)).isTrue();
		assertThat(this.jobs.attempts(deleted)).isEmpty();
		assertThat(this.jobs.attempts(purged)).hasSize(1);
		assertThat(this.jobs.purge(JobState.DEAD, Duration.ZERO)).isEqualTo(1);
		assertThat(this.jobs.attempts(purged)).isEmpty();
	}

	@Test
	void aFailedJobIsReadyAgainAfterItsBackoffKeepingTheError() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ofMinutes(10)), attempts, Integer.MAX_VALUE);

		long id = this.jobs.enqueue("flaky", Map.of());

		await().atMost(Duration.ofSeconds(30)).until(() -> attempts.size() == 1 && this.fixture.state(id) == JobState.READY);
		Job retrying = this.fixture.job(id);
		assertThat(retrying.attempt()).isEqualTo(1);
		assertThat(retrying.lockedBy()).isNull();
		assertThat(retrying.lastError()).contains("failure on attempt 1");
		assertThat(Duration.between(this.jobs.databaseTime(), retrying.runAt()))
			.isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
	}

	@Test
	void constantBackoffWaitsTheSameDelayBetweenAttempts() {
		List<Long> gaps = gapsBetweenAttempts(Backoff.constant(Duration.ofMillis(300)), 4);

		assertThat(gaps).hasSize(3).allSatisfy((gap) -> assertThat(gap).isGreaterThanOrEqualTo(280));
	}

	@Test
	void linearBackoffGrowsByItsBaseEachAttempt() {
		List<Long> gaps = gapsBetweenAttempts(Backoff.linear(Duration.ofMillis(200), Duration.ofSeconds(10)), 4);

		assertThat(gaps.get(0)).isGreaterThanOrEqualTo(180);
		assertThat(gaps.get(1)).isGreaterThanOrEqualTo(380);
		assertThat(gaps.get(2)).isGreaterThanOrEqualTo(580);
	}

	@Test
	void exponentialBackoffDoublesUpToItsMax() {
		List<Long> gaps = gapsBetweenAttempts(Backoff.exponential(Duration.ofMillis(150), Duration.ofMillis(500)), 5);

		assertThat(gaps.get(0)).isGreaterThanOrEqualTo(130);
		assertThat(gaps.get(1)).isGreaterThanOrEqualTo(280);
		assertThat(gaps.get(2)).isGreaterThanOrEqualTo(480);
		assertThat(gaps.get(3)).as("capped at max").isGreaterThanOrEqualTo(480).isLessThan(5000);
	}

	@Test
	void maxAttemptsMinusOneRetriesPastTheDefaultOfTen() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ZERO), attempts, 12);

		long id = this.jobs.enqueue("flaky", Map.of(), EnqueueOptions.defaults().withMaxAttempts(-1));

		await().atMost(Duration.ofSeconds(60)).until(() -> this.fixture.state(id) == JobState.SUCCEEDED);
		assertThat(attempts).hasSize(13);
		assertThat(this.fixture.job(id).attempt()).isEqualTo(13);
	}

	@Test
	void theDefaultIsTenAttempts() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ZERO), attempts, Integer.MAX_VALUE);

		long id = this.jobs.enqueue("flaky", Map.of());

		await().atMost(Duration.ofSeconds(60)).until(() -> this.fixture.state(id) == JobState.DEAD);
		assertThat(attempts).hasSize(10);
		assertThat(this.fixture.job(id).lastError()).contains("Out of attempts (10 of 10)");
	}

	@Test
	void nonRetryableJobExceptionIsDeadAtOnceWithItsReason() {
		AtomicInteger runs = new AtomicInteger();
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("charge", Invoice.class, (invoice, ctx) -> {
			runs.incrementAndGet();
			throw new NonRetryableJobException("invoice " + invoice.number() + " was already paid");
		})));

		long id = this.jobs.enqueue("charge", new Invoice("INV-7", 1200));

		this.fixture.awaitState(id, JobState.DEAD);
		Job dead = this.fixture.job(id);
		assertThat(runs).hasValue(1);
		assertThat(dead.attempt()).isEqualTo(1);
		assertThat(dead.lastError()).contains("NonRetryableJobException").contains("invoice INV-7 was already paid");
	}

	@Test
	void anUndecodablePayloadIsDeadAtOnceWithoutRunningTheHandler() {
		AtomicInteger runs = new AtomicInteger();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("charge", Invoice.class, (invoice, ctx) -> runs.incrementAndGet())));

		long wrongValue = this.jobs.enqueue("charge", Map.of("number", "INV-8", "cents", "twelve"));
		// cents renamed to amount by a newer version: the value the class requires is missing
		long renamedField = this.jobs.enqueue("charge", Map.of("number", "INV-8", "amount", 1200));
		long missingField = this.jobs.enqueue("charge", Map.of("number", "INV-8"));
		long wrongShape = this.jobs.enqueue("charge", List.of(1, 2, 3));
		long good = this.jobs.enqueue("charge", new Invoice("INV-9", 900));

		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.fixture.state(good) == JobState.SUCCEEDED
					&& List.of(wrongValue, renamedField, missingField, wrongShape).stream()
						.allMatch((id) -> this.fixture.state(id) == JobState.DEAD));
		assertThat(runs).as("only the good payload reached the handler").hasValue(1);
		assertThat(List.of(wrongValue, renamedField, missingField, wrongShape)).allSatisfy((id) -> {
			Job dead = this.fixture.job(id);
			assertThat(dead.attempt()).isEqualTo(1);
			assertThat(dead.lastError())
				.contains("Payload of job type 'charge' cannot be bound to " + Invoice.class.getName());
		});
		assertThat(this.fixture.job(wrongValue).lastError()).contains("\"cents\"").contains("twelve");
		assertThat(this.fixture.job(renamedField).lastError()).contains("Invoice[\"cents\"]");
		assertThat(this.fixture.job(missingField).lastError()).contains("Invoice[\"cents\"]");
		assertThat(worker.isRunning()).isTrue();
	}

	@Test
	void aJobTypeWithNoHandlerHereWaitsForANodeThatHasOne() {
		AtomicInteger runs = new AtomicInteger();
		this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("known", Map.class, (payload, ctx) -> runs.incrementAndGet())));

		long unknown = this.jobs.enqueue("nobody-handles-this", Map.of());
		long known = this.jobs.enqueue("known", Map.of());

		// claimed in order: the older job was passed over, not missed
		await().atMost(Duration.ofSeconds(30)).until(() -> this.fixture.state(known) == JobState.SUCCEEDED);
		Job waiting = this.fixture.job(unknown);
		assertThat(waiting.state()).isEqualTo(JobState.READY);
		assertThat(waiting.attempt()).as("no attempt spent").isZero();
		assertThat(runs).hasValue(1);

		List<Integer> attempts = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("nobody-handles-this", Map.class, (payload, ctx) -> attempts.add(ctx.attempt()))));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.fixture.state(unknown) == JobState.SUCCEEDED);
		assertThat(attempts).containsExactly(1);
	}

	@Test
	void aHandlersOwnBackoffAndMaxAttemptsOverrideTheQueues() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("picky", Map.class, (payload, ctx) -> {
			attempts.add(ctx.attempt());
			throw new IllegalStateException("no");
		}).withMaxAttempts(2).withBackoff(Backoff.constant(Duration.ofMillis(50)))));

		long id = this.jobs.enqueue("picky", Map.of());

		this.fixture.awaitState(id, JobState.DEAD);
		assertThat(attempts).containsExactly(1, 2);
		assertThat(this.fixture.job(id).maxAttempts()).isEqualTo(2);
	}

	@Test
	void aJobsOwnBackoffWinsOverItsQueues() {
		List<Integer> attempts = new CopyOnWriteArrayList<>();
		failingWorker(Backoff.constant(Duration.ofHours(1)), attempts, 1);

		long quick = this.jobs.enqueue("flaky", Map.of(),
				EnqueueOptions.defaults().withBackoff(Backoff.constant(Duration.ofMillis(100))));
		long slow = this.jobs.enqueue("flaky", Map.of());

		this.fixture.awaitState(quick, JobState.SUCCEEDED);
		Job waiting = this.fixture.job(slow);
		assertThat(waiting.state()).isEqualTo(JobState.READY);
		assertThat(Duration.between(waiting.createdAt(), waiting.runAt())).isGreaterThan(Duration.ofMinutes(50));
		assertThat(this.fixture.job(quick).metadata()).containsEntry(Backoff.METADATA_KEY, "CONSTANT 100 100 0.0");
	}

	/** Fails every attempt before {@code succeedOnAttempt}, recording each attempt number. */
	private void failingWorker(Backoff backoff, List<Integer> attempts, int succeedOnAttempt) {
		this.fixture.start(this.fixture.worker().defaults(QueueFixture.FAST.withBackoff(backoff))
			.handler(HandlerSpec.of("flaky", Map.class, (payload, ctx) -> {
				attempts.add(ctx.attempt());
				if (ctx.attempt() <= succeedOnAttempt) {
					throw new IllegalStateException("failure on attempt " + ctx.attempt());
				}
			})));
	}

	/** Milliseconds between the starts of consecutive attempts of a job that always fails. */
	private List<Long> gapsBetweenAttempts(Backoff backoff, int attempts) {
		List<Long> starts = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker().defaults(QueueFixture.FAST.withBackoff(backoff))
			.handler(HandlerSpec.of("timed", Map.class, (payload, ctx) -> {
				starts.add(System.nanoTime());
				throw new IllegalStateException("failure on attempt " + ctx.attempt());
			})));
		long id = this.jobs.enqueue("timed", Map.of(), EnqueueOptions.defaults().withMaxAttempts(attempts));
		await().atMost(Duration.ofSeconds(60)).until(() -> this.fixture.state(id) == JobState.DEAD);
		assertThat(starts).hasSize(attempts);
		List<Long> gaps = new java.util.ArrayList<>();
		for (int i = 1; i < starts.size(); i++) {
			gaps.add((starts.get(i) - starts.get(i - 1)) / 1_000_000);
		}
		return gaps;
	}

}
