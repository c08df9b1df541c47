package io.sqlqueue.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.StateChange;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose handler hangs past its lease may claim the same job again once it was rescued: the
 * chaos test saw this on PostgreSQL. Both runs must be tracked on their own, so that the hung one
 * is still interrupted and its late outcome ignored while the new run's success stands.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ReclaimedWhileHangingTests {

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue jobs;

	final List<String> staleOutcomes = new CopyOnWriteArrayList<>();

	final CountDownLatch releaseFirstRun = new CountDownLatch(1);

	record Work(int number) {
	}

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db, (queue) -> queue.listener(new JobEventListener() {
			@Override
			public void staleOutcomeIgnored(long jobId, int attempt) {
				ReclaimedWhileHangingTests.this.staleOutcomes.add(jobId + "@" + attempt);
			}
		}));
		this.jobs = this.fixture.queue();
	}

	@AfterEach
	void tearDown() {
		this.releaseFirstRun.countDown();
		this.fixture.close();
	}

	@Test
	void hungRunIsInterruptedAndFencedOffWhileItsJobRunsAgainOnTheSameNode() throws Exception {
		CountDownLatch firstRunStarted = new CountDownLatch(1);
		AtomicBoolean firstRunInterrupted = new AtomicBoolean();
		this.fixture.start(this.fixture.worker()
			.queue("hang", QueueSettings.defaults()
				.withConcurrency(2)
				.withPollInterval(Duration.ofMillis(100))
				.withLease(Duration.ofSeconds(1)))
			.handler(HandlerSpec.of("hang", Work.class, (work, ctx) -> {
				if (ctx.attempt() == 1) {
					firstRunStarted.countDown();
					// stuck without heartbeating; an interrupt is noted but not obeyed
					while (true) {
						try {
							this.releaseFirstRun.await();
							break;
						}
						catch (InterruptedException ex) {
							firstRunInterrupted.set(true);
						}
					}
				}
			}).onQueue("hang"))
			// the test plays another node's lease rescuer
			.maintenance(false));
		long id = this.jobs.enqueue("hang", new Work(1), EnqueueOptions.defaults().withQueue("hang"));
		assertThat(firstRunStarted.await(30, TimeUnit.SECONDS)).as("first run started").isTrue();

		// the job is READY again, as after a rescue, while its first run still hangs here
		JobRef firstRun = new JobRef(id, 1);
		assertThat(Internals.store(this.jobs).jobSetStateIfRunningMany(List.of(StateChange.retry(firstRun, 0,
				"Lease expired", null)))).containsExactly(firstRun);

		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jobs.find(id).map(Job::state).orElseThrow() == JobState.SUCCEEDED);
		await("the hung first run is interrupted").atMost(Duration.ofSeconds(30))
			.untilTrue(firstRunInterrupted);
		this.releaseFirstRun.countDown();
		await("its late outcome reported stale").atMost(Duration.ofSeconds(30))
			.until(() -> this.staleOutcomes.contains(id + "@1"));

		Job job = this.jobs.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(job.attempt()).as("the second run's success is the one recorded").isEqualTo(2);
	}

}
