package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

/**
 * Per-job retention (seed sqlq's {@code WithRetention}) and manual kill (seed gqs's {@code Kill}).
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class RetentionAndKillTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void aJobsOwnRetentionOverridesTheConfiguredOne() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> {
			if (name.startsWith("dead")) {
				throw new NonRetryableJobException("bad " + name);
			}
		}));
		long gone = this.fixture.queue().enqueue("work", "gone", EnqueueOptions.defaults().withRetention(Duration.ZERO));
		long deadGone = this.fixture.queue().enqueue("work", "dead-gone",
				EnqueueOptions.defaults().withRetention(Duration.ZERO));
		long configured = this.fixture.queue().enqueue("work", "configured");
		long keptLonger = this.fixture.queue().enqueue("work", "kept-longer",
				EnqueueOptions.defaults().withRetention(Duration.ofDays(7)));
		long deadKept = this.fixture.queue().enqueue("work", "dead-kept");
		for (long id : List.of(gone, configured, keptLonger)) {
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}
		this.fixture.awaitState(deadGone, JobState.DEAD);
		this.fixture.awaitState(deadKept, JobState.DEAD);

		// the configured retention (1 day) keeps everything without its own
		Maintenance byDefault = Internals.maintenance(this.fixture.queue(), Retention.DEFAULT);
		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
			byDefault.clean();
			assertThat(this.fixture.queue().find(gone)).isEmpty();
			assertThat(this.fixture.queue().find(deadGone)).isEmpty();
		});
		assertThat(this.fixture.queue().find(configured)).isPresent();
		assertThat(this.fixture.queue().find(keptLonger)).isPresent();
		assertThat(this.fixture.queue().find(deadKept)).isPresent();
		assertThat(this.fixture.queue().attempts(deadGone)).as("deleted with its job").isEmpty();
		assertThat(this.fixture.queue().attempts(deadKept)).hasSize(1);

		// with nothing kept by configuration, the job with its own 7 days stays
		Maintenance keepNothing = Internals.maintenance(this.fixture.queue(),
				new Retention(Duration.ZERO, Duration.ZERO, Duration.ZERO));
		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
			keepNothing.clean();
			assertThat(this.fixture.queue().find(configured)).isEmpty();
			assertThat(this.fixture.queue().find(deadKept)).isEmpty();
		});
		assertThat(this.fixture.queue().find(keptLonger)).isPresent();
	}

	@Test
	void aReadyJobKilledByHandIsDeadWithTheReasonAndNeverRuns() {
		this.fixture = QueueFixture.fresh(this.db);
		long id = this.fixture.queue().enqueue("work", "poisoned");

		assertThatThrownBy(() -> this.fixture.queue().kill(id, " "))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("reason is required");
		assertThat(this.fixture.state(id)).isEqualTo(JobState.READY);
		assertThat(this.fixture.queue().kill(id, "the payload has a bad address")).isTrue();

		Job killed = this.fixture.job(id);
		assertThat(killed.state()).isEqualTo(JobState.DEAD);
		assertThat(killed.lastError()).isEqualTo("Killed: the payload has a bad address");
		assertThat(killed.finishedAt()).isNotNull();
		List<String> ran = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> ran.add(name)));
		long next = this.fixture.queue().enqueue("work", "next");
		this.fixture.awaitState(next, JobState.SUCCEEDED);
		assertThat(ran).containsExactly("next");
		assertThat(this.fixture.queue().kill(next, "too late")).isFalse();
		assertThat(this.fixture.state(next)).isEqualTo(JobState.SUCCEEDED);
	}

	@Test
	void aRunningJobKilledByHandStaysDeadWhateverItsHandlerDoesAfterwards() throws Exception {
		List<Long> staleOutcomes = new CopyOnWriteArrayList<>();
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.listener(new JobEventListener() {
			@Override
			public void staleOutcomeIgnored(long jobId, int attempt) {
				staleOutcomes.add(jobId);
			}
		}));
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch mayReturn = new CountDownLatch(1);
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> {
			if (name.equals("slow")) {
				started.countDown();
				mayReturn.await(20, TimeUnit.SECONDS);
				ctx.log("finished anyway");
				ctx.setResult("late result");
			}
		}));
		long id = this.fixture.queue().enqueue("work", "slow");
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		assertThat(this.fixture.queue().kill(id, "stuck on a remote call")).isTrue();
		mayReturn.countDown();

		await().atMost(QueueFixture.PATIENCE).until(() -> staleOutcomes.contains(id));
		Job killed = this.fixture.job(id);
		assertThat(killed.state()).isEqualTo(JobState.DEAD);
		assertThat(killed.lastError()).isEqualTo("Killed: stuck on a remote call");
		assertThat(killed.result()).isNull();
		assertThat(killed.logs()).isEmpty();
		long next = this.fixture.queue().enqueue("work", "next");
		this.fixture.awaitState(next, JobState.SUCCEEDED);
	}

}
