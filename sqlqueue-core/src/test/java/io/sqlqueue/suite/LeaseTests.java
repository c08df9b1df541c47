package io.sqlqueue.suite;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases: a job whose worker died runs again once its lease expires, heartbeats keep a long job's
 * lease, and the fencing token turns the late outcome of a worker that lost its lease into a
 * reported no-op.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class LeaseTests {

	private static final Duration LEASE = Duration.ofSeconds(1);

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue jobs;

	final List<String> staleOutcomes = new CopyOnWriteArrayList<>();

	final List<String> finished = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db, (queue) -> queue.listener(new JobEventListener() {
			@Override
			public void staleOutcomeIgnored(long jobId, int attempt) {
				LeaseTests.this.staleOutcomes.add(jobId + "@" + attempt);
			}

			@Override
			public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
				LeaseTests.this.finished.add(job.id() + "@" + job.attempt() + ":" + outcome);
			}
		}));
		this.jobs = this.fixture.queue();
	}

	/** Released after each test so that a failed test leaves no handler blocked. */
	final CountDownLatch releaseFirst = new CountDownLatch(1);

	final CountDownLatch releaseSecond = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.releaseFirst.countDown();
		this.releaseSecond.countDown();
		this.fixture.close();
	}

	@Test
	void aJobWhoseWorkerDiedIsReadyAgainOnceItsLeaseExpiredCountedAsAnAttempt() {
		long id = this.jobs.enqueue("work", Map.of());
		List<Job> claimed = Internals.store(this.jobs).jobGetAvailable(new ClaimParams("default", 10, LEASE, "crashed-worker"));
		assertThat(claimed).extracting(Job::id).containsExactly(id);
		Maintenance rescuer = rescuer();

		assertThat(rescuer.rescue()).as("the lease has not expired yet").isZero();
		assertThat(this.fixture.job(id).state()).isEqualTo(JobState.RUNNING);
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> rescuer.rescue() == 1);

		Job rescued = this.fixture.job(id);
		assertThat(rescued.state()).isEqualTo(JobState.READY);
		assertThat(rescued.attempt()).isEqualTo(1);
		assertThat(rescued.lockedBy()).isNull();
		assertThat(rescued.lastError()).contains("Lease expired");

		List<Integer> attempts = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker().defaults(QueueFixture.SHORT_LEASE)
			.handler(HandlerSpec.of("work", Map.class, (payload, ctx) -> attempts.add(ctx.attempt()))));
		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(attempts).containsExactly(2);
	}

	@Test
	void aRunningWorkerRescuesTheJobOfAWorkerThatDied() {
		long id = this.jobs.enqueue("work", Map.of());
		Internals.store(this.jobs).jobGetAvailable(new ClaimParams("default", 10, LEASE, "crashed-worker"));
		List<String> runs = new CopyOnWriteArrayList<>();

		this.fixture.start(rescuingWorker()
			.handler(HandlerSpec.of("work", Map.class, (payload, ctx) -> runs.add(ctx.attempt() + ""))));

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(runs).containsExactly("2");
	}

	@Test
	void aJobWhoseLeaseExpiresOnItsLastAttemptIsDead() {
		long id = this.jobs.enqueue("work", Map.of(), EnqueueOptions.defaults().withMaxAttempts(1));
		Internals.store(this.jobs).jobGetAvailable(new ClaimParams("default", 10, LEASE, "crashed-worker"));
		Maintenance rescuer = rescuer();

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> rescuer.rescue() == 1);

		Job dead = this.fixture.job(id);
		assertThat(dead.state()).isEqualTo(JobState.DEAD);
		assertThat(dead.lastError()).contains("Lease expired on its last attempt");
		assertThat(dead.finishedAt()).isNotNull();
	}

	@Test
	void heartbeatsKeepTheLeaseOfAJobThatRunsFarLongerThanIt() {
		AtomicInteger runs = new AtomicInteger();
		AtomicBoolean leaseLost = new AtomicBoolean();
		for (int i = 0; i < 2; i++) {
			this.fixture.start(rescuingWorker()
				.handler(HandlerSpec.of("long", Map.class, (payload, ctx) -> {
					runs.incrementAndGet();
					long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
					while (System.nanoTime() < end) {
						Thread.sleep(100);
						if (!ctx.heartbeat()) {
							leaseLost.set(true);
						}
					}
					leaseLost.compareAndSet(false, ctx.isLeaseLost());
				})));
		}

		long id = this.jobs.enqueue("long", Map.of());

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(runs).hasValue(1);
		assertThat(leaseLost).isFalse();
		assertThat(this.fixture.job(id).attempt()).isEqualTo(1);
		assertThat(this.staleOutcomes).isEmpty();
	}

	@Test
	void extendLeaseKeepsAJobThatDoesNotHeartbeat() {
		AtomicInteger runs = new AtomicInteger();
		List<Boolean> extended = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 2; i++) {
			this.fixture.start(rescuingWorker()
				.handler(HandlerSpec.of("long", Map.class, (payload, ctx) -> {
					runs.incrementAndGet();
					extended.add(ctx.extendLease(Duration.ofSeconds(10)));
					Thread.sleep(2000);
					extended.add(!ctx.isLeaseLost());
				})));
		}

		long id = this.jobs.enqueue("long", Map.of());

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(runs).hasValue(1);
		assertThat(extended).containsExactly(true, true);
		assertThat(this.staleOutcomes).isEmpty();
	}

	@Test
	void aLateSuccessFromAWorkerThatLostItsLeaseChangesNothingAndIsReported() throws InterruptedException {
		lateOutcomeIsFencedOff(false);
	}

	@Test
	void aLateFailureFromAWorkerThatLostItsLeaseChangesNothingAndIsReported() throws InterruptedException {
		lateOutcomeIsFencedOff(true);
	}

	/**
	 * Worker A's run blocks past its lease (ignoring the interrupt it gets for it); the job is
	 * rescued and worker B runs it as attempt 2; then A's run ends. Its outcome must not touch the
	 * job B owns.
	 */
	private void lateOutcomeIsFencedOff(boolean fail) throws InterruptedException {
		CountDownLatch firstStarted = new CountDownLatch(1);
		CountDownLatch secondStarted = new CountDownLatch(1);
		CountDownLatch releaseFirst = this.releaseFirst;
		CountDownLatch releaseSecond = this.releaseSecond;
		List<JobContext> contexts = new CopyOnWriteArrayList<>();
		HandlerSpec<Map> handler = HandlerSpec.of("fenced", Map.class, (payload, ctx) -> {
			contexts.add(ctx);
			if (ctx.attempt() == 1) {
				firstStarted.countDown();
				awaitIgnoringInterrupts(releaseFirst);
				if (fail) {
					throw new IllegalStateException("late failure of attempt 1");
				}
			}
			else {
				secondStarted.countDown();
				awaitIgnoringInterrupts(releaseSecond);
			}
		});
		this.fixture.start(rescuingWorker().workerId("worker-a")
			.defaults(QueueFixture.SHORT_LEASE.withConcurrency(1))
			.handler(handler));
		long id = this.jobs.enqueue("fenced", Map.of());
		assertThat(firstStarted.await(20, TimeUnit.SECONDS)).isTrue();
		this.fixture.start(rescuingWorker().workerId("worker-b")
			.defaults(QueueFixture.SHORT_LEASE.withConcurrency(1))
			.handler(handler));

		assertThat(secondStarted.await(20, TimeUnit.SECONDS)).isTrue();
		Job owned = this.fixture.job(id);
		assertThat(owned.state()).isEqualTo(JobState.RUNNING);
		assertThat(owned.attempt()).isEqualTo(2);
		assertThat(owned.lockedBy()).isEqualTo("worker-b");
		// the worker notices at its next heartbeat tick, at most a third of a lease later
		await().atMost(Duration.ofSeconds(10)).until(() -> contexts.get(0).isLeaseLost());

		releaseFirst.countDown();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.staleOutcomes.contains(id + "@1"));
		Job afterLateOutcome = this.fixture.job(id);
		assertThat(afterLateOutcome.state()).isEqualTo(JobState.RUNNING);
		assertThat(afterLateOutcome.attempt()).isEqualTo(2);
		assertThat(afterLateOutcome.lockedBy()).isEqualTo("worker-b");
		assertThat(afterLateOutcome.lastError()).isEqualTo(owned.lastError()).doesNotContain("late failure");

		releaseSecond.countDown();
		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(this.fixture.job(id).attempt()).isEqualTo(2);
		assertThat(this.finished).containsExactly(id + "@2:SUCCEEDED");
		assertThat(this.staleOutcomes).containsExactly(id + "@1");
	}

	@Test
	void aStaleRunEndingOnTheSameWorkerDoesNotHideTheCurrentRun() throws InterruptedException {
		CountDownLatch firstStarted = new CountDownLatch(1);
		CountDownLatch secondStarted = new CountDownLatch(1);
		JobWorker worker = this.fixture.start(rescuingWorker()
			.handler(HandlerSpec.of("twice", Map.class, (payload, ctx) -> {
				if (ctx.attempt() == 1) {
					firstStarted.countDown();
					awaitIgnoringInterrupts(this.releaseFirst);
					throw new IllegalStateException("late failure of attempt 1");
				}
				secondStarted.countDown();
				Thread.sleep(60_000);
			})));
		long id = this.jobs.enqueue("twice", Map.of());
		assertThat(firstStarted.await(20, TimeUnit.SECONDS)).isTrue();
		assertThat(secondStarted.await(20, TimeUnit.SECONDS)).as("the rescued job runs again on the same worker")
			.isTrue();
		this.releaseFirst.countDown();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.staleOutcomes.contains(id + "@1"));

		assertThat(worker.stop(Duration.ofMillis(300))).isFalse();

		Job released = this.fixture.job(id);
		assertThat(released.state()).isEqualTo(JobState.READY);
		assertThat(released.attempt()).isEqualTo(2);
		assertThat(released.lastError()).as("attempt 2 was released by the shutdown, not failed")
			.contains("Released unfinished by a worker shutting down");
	}

	/**
	 * A worker builder with the shortest lease, taking part in the maintenance and rescuing expired leases every
	 * 100 ms while it leads.
	 */
	private JobWorker.Builder rescuingWorker() {
		return this.fixture.worker()
			.defaults(QueueFixture.SHORT_LEASE)
			.maintenance(true)
			.maintenance((m) -> m.withRescueInterval(Duration.ofMillis(100)));
	}

	private Maintenance rescuer() {
		return Internals.maintenance(this.jobs, Retention.DEFAULT);
	}

	private static void awaitIgnoringInterrupts(CountDownLatch latch) {
		boolean interrupted = false;
		while (true) {
			try {
				if (latch.await(30, TimeUnit.SECONDS)) {
					break;
				}
				throw new IllegalStateException("the test never released this run");
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

}
