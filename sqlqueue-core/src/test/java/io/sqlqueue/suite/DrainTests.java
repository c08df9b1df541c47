package io.sqlqueue.suite;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobState;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A worker that is not started runs due jobs on the calling thread when asked ({@link JobWorker#drain()}), and
 * {@link JdbcJobQueue#moveDueTimesBack(Duration)} stands in for time passing: delayed jobs, retries and recurring
 * ticks run without waiting.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class DrainTests {

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue jobs;

	final List<String> intercepted = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.interceptor(new JobInterceptor() {
			@Override
			public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
				DrainTests.this.intercepted.add(job.type() + ":" + payload);
				chain.proceed();
			}
		}));
		this.jobs = this.fixture.queue();
	}

	@AfterEach
	void tearDown() {
		this.fixture.close();
	}

	@Test
	void drainRunsEveryDueJobOnTheCallingThreadThroughTheInterceptorsAndReturnsEachRun() {
		List<String> threads = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker().handler("greet", String.class, (name, ctx) -> {
			threads.add(Thread.currentThread().getName());
			ctx.setResult("Hello " + name);
		}).build();
		long ada = this.jobs.enqueue("greet", "Ada");
		long bob = this.jobs.enqueue("greet", "Bob");

		List<JobRun> runs = worker.drain();

		assertThat(runs).extracting(JobRun::id).containsExactly(ada, bob);
		assertThat(runs).extracting(JobRun::outcome).containsOnly(Outcome.SUCCEEDED);
		assertThat(runs).allMatch(JobRun::recorded);
		assertThat(threads).containsOnly(Thread.currentThread().getName());
		assertThat(this.intercepted).containsExactly("greet:Ada", "greet:Bob");
		assertThat(this.fixture.job(ada).state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(this.fixture.job(ada).result()).isEqualTo("\"Hello Ada\"");
		assertThat(worker.drain()).isEmpty();
	}

	@Test
	void aJobDelayedByAnHourRunsOnceTheDueTimesAreMovedBackAnHour() {
		JobWorker worker = this.fixture.worker().handler("remind", String.class, (text, ctx) -> {
		}).build();
		long id = this.jobs.enqueue("remind", "renew", EnqueueOptions.defaults().withDelay(Duration.ofHours(1)));
		long start = System.nanoTime();

		assertThat(worker.drain()).isEmpty();
		assertThat(this.jobs.moveDueTimesBack(Duration.ofMinutes(59))).isEqualTo(1);
		assertThat(worker.drain()).isEmpty();
		this.jobs.moveDueTimesBack(Duration.ofMinutes(1));
		List<JobRun> runs = worker.drain();

		assertThat(runs).extracting(JobRun::id).containsExactly(id);
		assertThat(this.fixture.state(id)).isEqualTo(JobState.SUCCEEDED);
		System.out.printf("%s: a job delayed 1 h ran after %d ms%n", this.db, (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void aJobRetriedThreeTimesIsDeadAfterItsFourthAttemptWithBackoffsSkippedByTheClock() {
		JobWorker worker = this.fixture.worker()
			.handler(HandlerSpec.of("flaky", Map.class, (payload, ctx) -> {
				throw new IllegalStateException("still down");
			}).withMaxAttempts(4).withBackoff(Backoff.constant(Duration.ofMinutes(10))))
			.build();
		long id = this.jobs.enqueue("flaky", Map.of());
		long start = System.nanoTime();

		List<Outcome> outcomes = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 4; i++) {
			worker.drain().forEach((run) -> outcomes.add(run.outcome()));
			this.jobs.moveDueTimesBack(Duration.ofMinutes(10));
		}

		assertThat(outcomes).containsExactly(Outcome.RETRIED, Outcome.RETRIED, Outcome.RETRIED, Outcome.DEAD);
		assertThat(this.fixture.job(id).state()).isEqualTo(JobState.DEAD);
		assertThat(this.fixture.job(id).lastError()).contains("Out of attempts (4 of 4)", "still down");
		System.out.printf("%s: 3 retries 10 min apart and dead after %d ms%n", this.db,
				(System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void aCronTickIsEnqueuedAndRunByDrainOnceTheClockPassesIt() {
		List<String> ran = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker()
			.handler("report", Map.class, (payload, ctx) -> ran.add(ctx.metadata().get("sqlqueue.recurring")))
			.schedule(RecurringSchedule.of("hourly-report", "0 0 * * * *", "report"))
			.build();
		long start = System.nanoTime();

		assertThat(worker.drain()).isEmpty();
		this.jobs.moveDueTimesBack(Duration.ofHours(1));
		List<JobRun> runs = worker.drain();

		assertThat(runs).extracting(JobRun::type).containsExactly("report");
		assertThat(ran).containsExactly("hourly-report");
		assertThat(worker.drain()).isEmpty();
		System.out.printf("%s: an hourly cron job ran after %d ms%n", this.db, (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void followUpJobsOfARunRunInTheSameDrain() {
		JobWorker worker = this.fixture.worker()
			.handler("order", String.class, (order, ctx) -> ctx.enqueueOnSuccess("ship", order))
			.handler("ship", String.class, (order, ctx) -> {
			})
			.build();
		this.jobs.enqueue("order", "o-1");

		assertThat(worker.drain()).extracting(JobRun::type).containsExactly("order", "ship");
	}

	@Test
	void drainRefusesAStartedWorker() {
		JobWorker worker = this.fixture.start(this.fixture.worker().handler("greet", String.class, (name, ctx) -> {
		}));

		assertThatIllegalStateException().isThrownBy(worker::drain).withMessageContaining("sqlqueue.worker.mode=manual");
	}

	@Test
	void drainGivesUpOnAJobThatKeepsItselfDue() {
		JobWorker worker = this.fixture.worker()
			.handler("again", String.class, (text, ctx) -> ctx.snooze(Duration.ZERO))
			.build();
		this.jobs.enqueue("again", "x");

		assertThatIllegalStateException().isThrownBy(() -> worker.drain(20)).withMessageContaining("gave up after 20 runs");
	}

}
