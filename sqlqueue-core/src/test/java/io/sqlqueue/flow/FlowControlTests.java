package io.sqlqueue.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.DuplicateJobException;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;
import io.sqlqueue.SnoozeJobException;
import io.sqlqueue.internal.store.Vendor;
import io.sqlqueue.internal.store.Vendors;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * Flow control on every database: pause and resume, global and per-key concurrency, rate limits, snooze,
 * handler timeouts and uniqueness over a period and chosen states. Several workers run in this JVM, each
 * with its own queue object; {@link ClusterLimitsTests} runs them as processes of their own.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class FlowControlTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private final List<long[]> runs = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
	}

	@AfterEach
	void tearDown() {
		this.fixture.close();
	}

	@Test
	void aPausedQueueIsClaimedByNoNodeUntilResumedAndLosesNothing() {
		List<Instant> claimedAt = new CopyOnWriteArrayList<>();
		JobEventListener claims = new JobEventListener() {
			@Override
			public void jobStarted(Job job, Duration waited) {
				claimedAt.add(job.lockedUntil().minus(FAST.lease()));
			}
		};
		for (int node = 0; node < 2; node++) {
			io.sqlqueue.JdbcJobQueue queue = this.fixture.otherNode();
			queue.addListener(claims);
			this.fixture.start(this.fixture.worker(queue).queue("work", FAST)
				.handler(HandlerSpec.of("step", Map.class, (payload, ctx) -> Thread.sleep(2)).onQueue("work")));
		}
		List<Long> ids = this.fixture.queue().enqueueAll(requests("step", 600, null));
		await().atMost(QueueFixture.PATIENCE).until(() -> this.fixture.queue().count("work", JobState.SUCCEEDED) > 20);

		this.fixture.queue().pauseQueue("work");
		// the database's time once the pause is committed: every claim after it reads the pause
		Instant paused = this.fixture.queue().databaseTime();
		assertThat(this.fixture.queue().queueControl("work").paused()).isTrue();
		long enqueuedWhilePaused = this.fixture.queue().enqueue("step", Map.of(), EnqueueOptions.defaults().withQueue("work"));
		// what was claimed before the pause runs to its end
		await().atMost(QueueFixture.PATIENCE).until(() -> this.fixture.queue().count("work", JobState.RUNNING) == 0);
		long readyWhilePaused = this.fixture.queue().count("work", JobState.READY);
		Instant lastClaim = claimedAt.stream().max(Comparator.naturalOrder()).orElseThrow();
		System.out.printf("%s: paused with %d jobs left; the last claim %s, the pause seen by %s%n", this.db,
				readyWhilePaused, lastClaim, paused);
		assertThat(readyWhilePaused).as("jobs left, enqueue going on").isGreaterThan(1);
		assertThat(this.fixture.job(enqueuedWhilePaused).state()).isEqualTo(JobState.READY);
		// the lease starts where the claim writes it: in the claim's one statement on PostgreSQL and SQLite, but on
		// MariaDB and H2 in the UPDATE that follows the locking SELECT, which read the queue unpaused if it ran before
		// the pause committed; such a claim's lease may start just after the pause (seen: 0.3 ms)
		Duration lockThenUpdate = (Vendors.detect(this.fixture.dataSource()).claimForm() == Vendor.ClaimForm.LOCK_THEN_UPDATE)
				? Duration.ofMillis(100) : Duration.ZERO;
		assertThat(lastClaim).as("no claim after the pause").isBeforeOrEqualTo(paused.plus(lockThenUpdate));

		this.fixture.queue().resumeQueue("work");

		await().atMost(QueueFixture.PATIENCE).until(() -> this.fixture.queue().count("work", JobState.SUCCEEDED) == 601);
		assertThat(ids).allSatisfy((id) -> assertThat(this.fixture.job(id).attempt()).isOne());
		assertThat(this.fixture.queue().queueControl("work").paused()).isFalse();
	}

	@Test
	void aGlobalConcurrencyHoldsAcrossNodesAndEveryJobCompletes() {
		this.fixture.queue().updateQueueLimits("work", QueueLimits.none().withGlobalConcurrency(3));
		for (int node = 0; node < 3; node++) {
			this.fixture.start(recordingWorker(8));
		}
		this.fixture.queue().enqueueAll(requests("step", 150, null));

		await().atMost(QueueFixture.PATIENCE).until(() -> this.fixture.queue().count("work", JobState.SUCCEEDED) == 150);
		int overlap = maxOverlap(this.runs);
		System.out.printf("%s: global concurrency 3, 3 nodes of 8 handlers: at most %d jobs ran at once%n", this.db, overlap);
		assertThat(overlap).isLessThanOrEqualTo(3).isPositive();
		assertThat(this.runs).hasSize(150);
	}

	@Test
	void aKeyCapHoldsPerKeyAndAKeyWithFewJobsIsNotStarvedByOneWithMany() {
		this.fixture.queue().updateQueueLimits("work", QueueLimits.none().withKeyConcurrency(2));
		Map<String, List<long[]>> byKey = new ConcurrentHashMap<>();
		Map<Long, Long> finishedAt = new ConcurrentHashMap<>();
		for (int node = 0; node < 2; node++) {
			this.fixture.start(this.fixture.worker(this.fixture.otherNode()).queue("work", FAST.withConcurrency(8))
				.handler(HandlerSpec.of("step", Map.class, (payload, ctx) -> {
					long start = System.nanoTime();
					Thread.sleep(3);
					byKey.computeIfAbsent(ctx.metadata().get("key"), (k) -> new CopyOnWriteArrayList<>())
						.add(new long[] { start, System.nanoTime() });
					finishedAt.put(ctx.id(), System.nanoTime());
				}).onQueue("work")));
		}
		List<JobRequest> requests = new ArrayList<>();
		for (int n = 0; n < 400; n++) {
			requests.addAll(requests("step", 1, "big"));
		}
		for (int key = 0; key < 20; key++) {
			requests.addAll(requests("step", 3, "key-" + key));
		}
		List<Long> small = new ArrayList<>();
		List<Long> ids = this.fixture.queue().enqueueAll(requests);
		small.addAll(ids.subList(400, ids.size()));
		long start = System.nanoTime();

		await().atMost(Duration.ofSeconds(60)).until(() -> finishedAt.size() == ids.size());
		long bigDone = ids.subList(0, 400).stream().mapToLong(finishedAt::get).max().orElseThrow() - start;
		long smallDone = small.stream().mapToLong(finishedAt::get).max().orElseThrow() - start;
		System.out.printf("%s: key cap 2: the 400 jobs of one key done after %d ms, the 60 of 20 keys enqueued after them"
				+ " done after %d ms%n", this.db, bigDone / 1_000_000, smallDone / 1_000_000);
		byKey.forEach((key, intervals) -> assertThat(maxOverlap(intervals)).as("jobs of key %s at once", key)
			.isLessThanOrEqualTo(2));
		assertThat(smallDone).as("the small keys finish long before the big one").isLessThan(bigDone / 2);
	}

	@Test
	void aRateLimitHoldsInEveryWindowAndKeepsNearItsRate() {
		this.fixture.queue().updateQueueLimits("work", QueueLimits.none().withRateLimit(RateLimit.parse("50/1s")));
		// when each job was claimed, by the database's clock: what the limit counts
		List<Instant> claims = new CopyOnWriteArrayList<>();
		JobEventListener listener = new JobEventListener() {
			@Override
			public void jobStarted(Job job, Duration waited) {
				claims.add(job.lockedUntil().minus(FAST.lease()));
			}
		};
		for (int node = 0; node < 4; node++) {
			io.sqlqueue.JdbcJobQueue queue = this.fixture.otherNode();
			queue.addListener(listener);
			this.fixture.start(this.fixture.worker(queue).queue("work", FAST)
				.handler(HandlerSpec.of("step", Map.class, (payload, ctx) -> {
				}).onQueue("work")));
		}
		this.fixture.queue().enqueueAll(requests("step", 600, null));

		await().atMost(QueueFixture.PATIENCE).until(() -> claims.size() >= 510);
		List<Instant> sorted = claims.stream().sorted().toList();
		int most = 0;
		for (int i = 0; i < sorted.size(); i++) {
			int j = i;
			while (j < sorted.size() && sorted.get(j).isBefore(sorted.get(i).plusSeconds(1))) {
				j++;
			}
			most = Math.max(most, j - i);
		}
		Instant first = sorted.get(0);
		long inTenSeconds = sorted.stream().filter((claim) -> claim.isBefore(first.plusSeconds(10))).count();
		System.out.printf("%s: rate limit 50/1s, 4 nodes: at most %d claims in any second, %d in the first ten%n", this.db,
				most, inTenSeconds);
		assertThat(most).isLessThanOrEqualTo(50);
		assertThat(inTenSeconds).as("at least 90% of the rate").isGreaterThanOrEqualTo(450);
	}

	@Test
	void aJobSnoozedThreeTimesSucceedsWithoutSpendingAnAttempt() {
		AtomicInteger calls = new AtomicInteger();
		List<String> outcomes = new CopyOnWriteArrayList<>();
		this.fixture.queue().addListener(new JobEventListener() {
			@Override
			public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
				outcomes.add(outcome.name());
			}
		});
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("partner", Map.class, (payload, ctx) -> {
			int call = calls.incrementAndGet();
			if (call == 1) {
				throw new SnoozeJobException(Duration.ofMillis(50));
			}
			if (call <= 3) {
				ctx.snooze(Duration.ofMillis(50));
			}
		})));
		long id = this.fixture.queue().enqueue("partner", Map.of(), EnqueueOptions.defaults().withMaxAttempts(1));

		Job done = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(calls).hasValue(4);
		assertThat(done.attempt()).as("the fencing token advanced at each run").isEqualTo(4);
		assertThat(done.maxAttempts()).as("one attempt, plus one for each snooze").isEqualTo(4);
		assertThat(done.lastError()).isNull();
		assertThat(outcomes).containsExactly("SNOOZED", "SNOOZED", "SNOOZED", "SUCCEEDED");
	}

	@Test
	void aHandlerPastItsTimeoutIsInterruptedAndRetriedWithTheReason() {
		AtomicInteger calls = new AtomicInteger();
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("slow", Map.class, (payload, ctx) -> {
			if (calls.incrementAndGet() == 1) {
				Thread.sleep(60_000);
			}
		}).withTimeout(Duration.ofMillis(300))));
		long id = this.fixture.queue().enqueue("slow", Map.of());

		Job done = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(done.attempt()).isEqualTo(2);
		assertThat(done.lastError()).contains("ran past its timeout of PT0.3S and was interrupted")
			.contains("InterruptedException");
	}

	@Test
	void aUniqueKeyHeldForAPeriodOrAmongChosenStatesReturnsTheJobThatHoldsIt() {
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("event", Map.class, (payload, ctx) -> {
		})));
		EnqueueOptions hourly = EnqueueOptions.defaults().withUniqueKey("report").withUniqueFor(Duration.ofHours(1));
		long first = this.fixture.queue().enqueue("event", Map.of(), hourly);
		this.fixture.awaitState(first, JobState.SUCCEEDED);
		assertThat(this.fixture.queue().enqueue("event", Map.of(), hourly)).as("within the hour, finished").isEqualTo(first);
		assertThatExceptionOfType(DuplicateJobException.class).isThrownBy(() -> this.fixture.queue()
			.enqueue("event", Map.of(), hourly.withUniqueKey("report", EnqueueOptions.UniquePolicy.REJECT)));
		assertThat(this.fixture.queue().enqueue("event", Map.of(), EnqueueOptions.defaults().withUniqueKey("report")))
			.as("unique among active jobs only: the finished one does not count").isNotEqualTo(first);

		EnqueueOptions once = EnqueueOptions.defaults().withUniqueKey("event-42").withUniqueAmong(JobState.SUCCEEDED);
		long handled = this.fixture.queue().enqueue("event", Map.of(), once);
		this.fixture.awaitState(handled, JobState.SUCCEEDED);
		assertThat(this.fixture.queue().enqueue("event", Map.of(), once)).as("delivered again").isEqualTo(handled);
		assertThat(this.fixture.queue().count(null, null)).isEqualTo(3);
	}

	@Test
	void limitsAreStoredPerQueueAndReadBack() {
		this.fixture.queue().updateQueueLimits("erp", QueueLimits.none().withGlobalConcurrency(3)
			.withRateLimit(RateLimit.parse("100/1m").forEachKey()));
		this.fixture.queue().pauseQueue("mail");

		assertThat(this.fixture.queue().queueControls()).extracting(QueueControl::queue).containsExactly("erp", "mail");
		QueueControl erp = this.fixture.queue().queueControl("erp");
		assertThat(erp.paused()).isFalse();
		assertThat(erp.limits()).isEqualTo(new QueueLimits(3, null, new RateLimit(100, Duration.ofMinutes(1), true)));
		assertThat(this.fixture.queue().queueControl("other")).isEqualTo(QueueControl.running("other"));
	}

	private static final QueueSettings FAST = QueueFixture.FAST;

	private JobWorker.Builder recordingWorker(int concurrency) {
		return this.fixture.worker(this.fixture.otherNode()).queue("work", FAST.withConcurrency(concurrency))
			.handler(HandlerSpec.of("step", Map.class, (payload, ctx) -> {
				long start = System.nanoTime();
				Thread.sleep(5);
				this.runs.add(new long[] { start, System.nanoTime() });
			}).onQueue("work"));
	}

	private static List<JobRequest> requests(String type, int count, String key) {
		List<JobRequest> requests = new ArrayList<>();
		EnqueueOptions options = EnqueueOptions.defaults().withQueue("work");
		if (key != null) {
			options = options.withConcurrencyKey(key).withMetadata("key", key);
		}
		for (int n = 0; n < count; n++) {
			requests.add(JobRequest.of(type, Map.of("n", n), options));
		}
		return requests;
	}

	/** The most intervals that overlap at any instant; one that ends as another starts does not overlap it. */
	static int maxOverlap(List<long[]> intervals) {
		List<long[]> events = new ArrayList<>();
		for (long[] interval : intervals) {
			events.add(new long[] { interval[0], 1 });
			events.add(new long[] { interval[1], -1 });
		}
		events.sort(Comparator.<long[]>comparingLong((event) -> event[0]).thenComparingLong((event) -> event[1]));
		int now = 0;
		int most = 0;
		for (long[] event : events) {
			now += (int) event[1];
			most = Math.max(most, now);
		}
		return most;
	}

}
