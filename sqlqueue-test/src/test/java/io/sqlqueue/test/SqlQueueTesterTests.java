package io.sqlqueue.test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobState;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/** The tester's assertions, payloads, drain, clock and perform on every database. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class SqlQueueTesterTests {

	record SendEmail(String to, String subject) {
	}

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue jobs;

	SqlQueueTester tester;

	final List<String> sent = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.jobs = this.fixture.queue();
		JobWorker worker = this.fixture.worker()
			.handler(HandlerSpec.of("send-email", SendEmail.class, (email, ctx) -> {
				this.sent.add(email.to());
				ctx.setResult(Map.of("sent", true));
			}).onQueue("mail"))
			.handler(HandlerSpec.of("flaky", String.class, (text, ctx) -> {
				throw new IllegalStateException("still down");
			}).withMaxAttempts(4).withBackoff(Backoff.constant(Duration.ofMinutes(10))))
			.handler("report", Map.class, (payload, ctx) -> this.sent.add("report"))
			.handler(HandlerSpec.of("sum", new io.sqlqueue.test.TypeRef<List<Long>>() { }.type(), (numbers, ctx) -> {
			}))
			.schedule(RecurringSchedule.of("hourly-report", "0 0 * * * *", "report"))
			.build();
		this.tester = SqlQueueTester.of(this.jobs, worker);
	}

	@AfterEach
	void tearDown() {
		this.fixture.close();
	}

	@Test
	void hasEnqueuedMatchesTypeQueuePriorityRunAtMetadataUniqueKeyParentAndATypedPayload() {
		long parent = this.jobs.enqueue("report", Map.of());
		Instant dueAt = this.jobs.databaseTime().plus(Duration.ofMinutes(30));
		this.jobs.enqueue(new SendEmail("ada@example.com", "Welcome"), EnqueueOptions.defaults()
			.withPriority(5)
			.withDelay(Duration.ofMinutes(30))
			.withMetadata("tenant", "acme")
			.withUniqueKey("welcome:ada")
			.withParent(parent));

		this.tester.assertThat()
			.hasEnqueued("send-email")
			.hasEnqueued(SendEmail.class, (email) -> email.to().equals("ada@example.com"))
			.hasEnqueued("send-email", JobCriteria.any()
				.inQueue("mail")
				.withPriority(5)
				.runAt(dueAt, Duration.ofSeconds(5))
				.withMetadata("tenant", "acme")
				.withUniqueKey("welcome:ada")
				.withParent(parent)
				.withPayload(SendEmail.class, (email) -> email.subject().equals("Welcome")))
			.hasEnqueuedExactly(1, "send-email")
			.hasNotEnqueued("send-email", JobCriteria.any().inQueue("default"))
			.hasNotEnqueued("send-email", JobCriteria.any().runAt(dueAt.plus(Duration.ofMinutes(5)), Duration.ofSeconds(5)))
			.hasNotEnqueued("send-email", JobCriteria.any().withPayload(SendEmail.class, (email) -> email.to().isEmpty()))
			.hasNotEnqueued("flaky");
	}

	@Test
	void aFailedAssertionListsTheJobsOfThatType() {
		this.jobs.enqueue(new SendEmail("ada@example.com", "Welcome"));

		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> this.tester.assertThat().hasEnqueued("send-email", JobCriteria.any().withPriority(9)))
			.withMessageContaining("Expected a job of type 'send-email' in state [READY, WAITING], of priority 9")
			.withMessageContaining("priority=0")
			.withMessageContaining("ada@example.com");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.tester.assertThat().hasNotEnqueued("send-email"))
			.withMessageContaining("found 1");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> this.tester.assertThat().hasEnqueuedExactly(2, "send-email"))
			.withMessageContaining("Expected 2 jobs of type 'send-email'")
			.withMessageContaining("found 1");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.tester.assertThat().hasNothingEnqueued())
			.withMessageContaining("found 1");
	}

	@Test
	void enqueuedPayloadsAreBoundToTheHandlersDeclaredType() {
		this.jobs.enqueue(new SendEmail("ada@example.com", "Welcome"));
		this.jobs.enqueue(new SendEmail("bob@example.com", "Welcome"));
		this.jobs.enqueue("sum", List.of(1L, 2L));

		assertThat(this.tester.enqueuedPayloads(SendEmail.class)).extracting(SendEmail::to)
			.containsExactly("ada@example.com", "bob@example.com");
		assertThat(this.tester.enqueuedPayloads("sum")).singleElement().isEqualTo(List.of(1L, 2L));
		assertThat(this.tester.enqueuedPayloads("send-email")).first().isInstanceOf(SendEmail.class);
	}

	@Test
	void theAssertionsAndDrainSeeAndRunTheJobsOfTheTestsOwnTransaction() {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.fixture.dataSource()));
		transaction.executeWithoutResult((status) -> {
			this.jobs.enqueue(new SendEmail("ada@example.com", "Welcome"));
			this.tester.assertThat().hasEnqueued(SendEmail.class, (email) -> email.to().equals("ada@example.com"));

			assertThat(this.tester.drain()).extracting(JobRun::outcome).containsExactly(Outcome.SUCCEEDED);
			this.tester.assertThat()
				.hasNothingEnqueued()
				.hasEnqueued("send-email", JobCriteria.any().inState(JobState.SUCCEEDED));
			status.setRollbackOnly();
		});

		assertThat(this.sent).containsExactly("ada@example.com");
		assertThat(this.tester.allJobs()).isEmpty();
	}

	@Test
	void drainAndTheClockRunAJobDelayedAnHour() {
		long start = System.nanoTime();
		this.jobs.enqueue(new SendEmail("ada@example.com", "Reminder"),
				EnqueueOptions.defaults().withDelay(Duration.ofHours(1)));

		assertThat(this.tester.drain()).isEmpty();
		assertThat(this.tester.advance(Duration.ofHours(1))).isEqualTo(1);
		List<JobRun> runs = this.tester.drain();

		// the hour passed for the hourly schedule too
		assertThat(runs).extracting(JobRun::type, JobRun::outcome)
			.containsExactlyInAnyOrder(tuple("send-email", Outcome.SUCCEEDED), tuple("report", Outcome.SUCCEEDED));
		assertThat(this.sent).containsExactlyInAnyOrder("ada@example.com", "report");
		System.out.printf("%s: a job delayed 1 h ran in %d ms%n", this.db, (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void drainAndTheClockRetryAJobThreeTimesThenItIsDead() {
		long start = System.nanoTime();
		long id = this.jobs.enqueue("flaky", "x");

		List<JobRun> runs = new CopyOnWriteArrayList<>(this.tester.drain());
		for (int i = 0; i < 3; i++) {
			runs.addAll(this.tester.advanceAndDrain(Duration.ofMinutes(10)));
		}
		// the hourly schedule's tick runs too when the 30 minutes cross the hour
		List<Outcome> outcomes = runs.stream().filter((run) -> run.type().equals("flaky")).map(JobRun::outcome).toList();

		assertThat(outcomes).containsExactly(Outcome.RETRIED, Outcome.RETRIED, Outcome.RETRIED, Outcome.DEAD);
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.DEAD);
		System.out.printf("%s: retried 3 times and dead in %d ms%n", this.db, (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void drainAndTheClockRunACronJob() {
		long start = System.nanoTime();

		assertThat(this.tester.drain()).isEmpty();
		List<JobRun> runs = this.tester.advanceAndDrain(Duration.ofHours(1));

		assertThat(runs).extracting(JobRun::type).containsExactly("report");
		assertThat(this.sent).containsExactly("report");
		this.tester.assertThat()
			.hasEnqueued("report", JobCriteria.any().inState(JobState.SUCCEEDED).withMetadata("sqlqueue.recurring", "hourly-report"));
		System.out.printf("%s: an hourly cron job ran in %d ms%n", this.db, (System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void performRunsTheWorkersHandlerWithoutTheTable() {
		PerformResult run = this.tester.perform("send-email", new SendEmail("ada@example.com", "Welcome"));

		assertThat(run.outcome()).isEqualTo(Outcome.SUCCEEDED);
		assertThat(run.resultJson()).isEqualTo("{\"sent\":true}");
		assertThat(this.tester.perform("flaky", "x").outcome()).isEqualTo(Outcome.RETRIED);
		assertThat(this.tester.allJobs()).isEmpty();
	}

	@Test
	void drainOfAStartedWorkerSaysToUseManualMode() {
		JobWorker started = this.fixture.start(this.fixture.worker().handler("noop", String.class, (text, ctx) -> {
		}));

		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> SqlQueueTester.of(this.jobs, started).drain())
			.withMessageContaining("sqlqueue.worker.mode=manual");
	}

	@Test
	void aTesterWithoutAWorkerSaysSo() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> SqlQueueTester.of(this.jobs).drain())
			.withMessageContaining("has no worker");
	}

}
