package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;

/**
 * Bad input at run time: payloads that no longer match their handler, unknown types, handlers that
 * throw errors, interrupt themselves or never return. Each job ends DEAD or is retried as the
 * README says, with the reason stored, and the worker goes on running other jobs (one handler
 * thread, so the same thread that met the bad job runs the next one).
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class PoisonJobTests {

	/** The payload class of today: the field once called {@code name} is now {@code fullName}. */
	record Greeting(@JsonProperty(required = true) String fullName, String language) {
	}

	/** A payload class that validates itself. */
	record Email(String to) {

		Email {
			if (to == null || !to.contains("@")) {
				throw new IllegalArgumentException("not an e-mail address: " + to);
			}
		}

	}

	/** A payload class with a primitive field, which has no value to stand for a missing one. */
	record Tally(String name, int count) {
	}

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private final List<String> succeeded = new CopyOnWriteArrayList<>();

	private final List<Long> staleOutcomes = new CopyOnWriteArrayList<>();

	@BeforeEach
	void freshSchema() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.listener(new JobEventListener() {
			@Override
			public void staleOutcomeIgnored(long jobId, int attempt) {
				PoisonJobTests.this.staleOutcomes.add(jobId);
			}
		}));
	}

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	private JobWorker.Builder singleThreadedWorker() {
		return this.fixture.worker()
			.defaults(QueueFixture.FAST.withConcurrency(1))
			.handler("ok", String.class, (name, ctx) -> {
				assertThat(Thread.currentThread().isInterrupted()).as("handler thread interrupted").isFalse();
				Thread.sleep(1);
				this.succeeded.add(name);
			});
	}

	/** The worker still runs jobs after whatever came before. */
	private void assertWorkerCarriesOn() {
		long id = this.fixture.queue().enqueue("ok", "afterwards");
		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(this.succeeded).contains("afterwards");
	}

	@Test
	void aPayloadMissingARequiredValueIsDeadAtOnceNamingItWhileUnknownAndOptionalPropertiesAreFine() {
		this.fixture.start(singleThreadedWorker()
			.handler("greet", Greeting.class, (greeting, ctx) -> this.succeeded.add(greeting.fullName()))
			.handler("tally", Tally.class, (tally, ctx) -> this.succeeded.add(tally.name()))
			.handler("mail", Email.class, (email, ctx) -> this.succeeded.add(email.to())));

		long renamed = this.fixture.queue().enqueue("greet", Map.of("name", "Ada", "language", "en"));
		long newer = this.fixture.queue().enqueue("greet", Map.of("fullName", "Grace", "language", "en", "title", "Dr"));
		long missing = this.fixture.queue().enqueue("greet", Map.of("fullName", "Alan"));
		long missingPrimitive = this.fixture.queue().enqueue("tally", Map.of("name", "visits"));
		long invalid = this.fixture.queue().enqueue("mail", Map.of("to", "nobody"));

		Job dead = this.fixture.awaitState(renamed, JobState.DEAD);
		assertThat(dead.attempt()).isEqualTo(1);
		assertThat(dead.lastError()).contains("PayloadCodecException")
			.contains("cannot be bound to " + Greeting.class.getName())
			.contains("fullName");
		// a property the class lacks, as a newer node's payload has: ignored, so a rolling deploy loses nothing
		this.fixture.awaitState(newer, JobState.SUCCEEDED);
		// a property absent from the JSON is not a mismatch: it binds as null (adding a field is compatible)
		this.fixture.awaitState(missing, JobState.SUCCEEDED);
		assertThat(this.succeeded).contains("Grace", "Alan");
		// ... unless it is a primitive, which has no null
		Job noCount = this.fixture.awaitState(missingPrimitive, JobState.DEAD);
		assertThat(noCount.attempt()).isEqualTo(1);
		assertThat(noCount.lastError()).contains("cannot be bound to " + Tally.class.getName())
			.contains("Cannot map `null` into type `int`");
		// a value the payload class itself rejects
		Job rejected = this.fixture.awaitState(invalid, JobState.DEAD);
		assertThat(rejected.attempt()).isEqualTo(1);
		assertThat(rejected.lastError()).contains("cannot be bound to " + Email.class.getName())
			.contains("not an e-mail address: nobody");
		assertWorkerCarriesOn();
	}

	@Test
	void aJobOfATypeNoNodeHandlesIsLeftForANodeThatDoesAndReportedAsUnhandled() {
		this.fixture.start(singleThreadedWorker());

		long unknown = this.fixture.queue().enqueue("nobody-handles-this", "x");
		// claimed in order: had the worker taken the older job, it would have taken it first
		assertWorkerCarriesOn();

		Job waiting = this.fixture.job(unknown);
		assertThat(waiting.state()).isEqualTo(JobState.READY);
		assertThat(waiting.attempt()).as("no attempt spent").isZero();
		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> assertThat(this.fixture.queue().unhandledJobs(Duration.ZERO))
			.singleElement()
			.satisfies((unhandled) -> {
				assertThat(unhandled.queue()).isEqualTo("default");
				assertThat(unhandled.type()).isEqualTo("nobody-handles-this");
				assertThat(unhandled.jobs()).isOne();
			}));
	}

	@Test
	void errorsThrownByHandlersAreRetriedLikeExceptionsAndStored() {
		this.fixture.start(singleThreadedWorker().handler("fragile", String.class, (kind, ctx) -> {
			switch (kind) {
				case "assertion" -> {
					if (ctx.attempt() == 1) {
						throw new AssertionError("invariant broken");
					}
				}
				case "stack-overflow" -> recurseForever(0);
				case "runtime" -> throw new IllegalStateException("remote said no");
				default -> throw new IllegalArgumentException(kind);
			}
		}));

		long assertion = this.fixture.queue().enqueue("fragile", "assertion");
		long overflow = this.fixture.queue().enqueue("fragile", "stack-overflow",
				EnqueueOptions.defaults().withMaxAttempts(1));
		long runtime = this.fixture.queue().enqueue("fragile", "runtime", EnqueueOptions.defaults().withMaxAttempts(2));

		Job recovered = this.fixture.awaitState(assertion, JobState.SUCCEEDED);
		assertThat(recovered.attempt()).isEqualTo(2);
		assertThat(recovered.lastError()).contains("java.lang.AssertionError: invariant broken");
		assertThat(this.fixture.awaitState(overflow, JobState.DEAD).lastError())
			.startsWith("Out of attempts (1 of 1): java.lang.StackOverflowError");
		Job dead = this.fixture.awaitState(runtime, JobState.DEAD);
		assertThat(dead.attempt()).isEqualTo(2);
		assertThat(dead.lastError()).startsWith("Out of attempts (2 of 2): java.lang.IllegalStateException: remote said no");
		assertWorkerCarriesOn();
	}

	@Test
	void aHandlerThatInterruptsItselfDoesNotPoisonItsThread() {
		this.fixture.start(singleThreadedWorker().handler("rude", String.class, (kind, ctx) -> {
			Thread.currentThread().interrupt();
			if (kind.equals("then-sleeps") && ctx.attempt() == 1) {
				Thread.sleep(1000);
			}
		}));

		long returns = this.fixture.queue().enqueue("rude", "returns");
		long sleeps = this.fixture.queue().enqueue("rude", "then-sleeps");

		assertThat(this.fixture.awaitState(returns, JobState.SUCCEEDED).attempt()).isEqualTo(1);
		Job retried = this.fixture.awaitState(sleeps, JobState.SUCCEEDED);
		assertThat(retried.attempt()).isEqualTo(2);
		assertThat(retried.lastError()).contains("java.lang.InterruptedException");
		assertWorkerCarriesOn();
	}

	@Test
	void aHandlerRunningPastItsLeaseIsInterruptedAndItsJobRetried() {
		this.fixture.start(singleThreadedWorker()
			.queue("default", QueueFixture.FAST.withConcurrency(1).withLease(Duration.ofSeconds(1)))
			.handler("hangs", String.class, (name, ctx) -> {
				if (ctx.attempt() == 1) {
					Thread.sleep(Long.MAX_VALUE);
				}
			}));

		long id = this.fixture.queue().enqueue("hangs", "x");

		Job retried = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(retried.attempt()).isEqualTo(2);
		assertThat(retried.lastError()).contains("ran past its lease of 1000 ms without a heartbeat")
			.contains("java.lang.InterruptedException");
		assertWorkerCarriesOn();
	}

	@Test
	void aHandlerThatIgnoresInterruptsIsRescuedElsewhereAndItsLateOutcomeIgnored() {
		AtomicBoolean release = new AtomicBoolean();
		this.fixture.start(singleThreadedWorker()
			.queue("default", QueueFixture.FAST.withConcurrency(2).withLease(Duration.ofSeconds(1)))
			.maintenance(true)
			.maintenance((m) -> m.withRescueInterval(Duration.ofMillis(300)))
			.handler("stubborn", String.class, (name, ctx) -> {
				if (ctx.attempt() == 1) {
					long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
					while (!release.get() && System.nanoTime() < until) {
						try {
							Thread.sleep(10);
						}
						catch (InterruptedException ignored) {
							// this handler does not take a hint
						}
					}
				}
			}));

		long id = this.fixture.queue().enqueue("stubborn", "x");

		Job rescued = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(rescued.attempt()).isEqualTo(2);
		assertThat(rescued.lastError()).contains("Lease expired");
		release.set(true);
		await().atMost(QueueFixture.PATIENCE).until(() -> this.staleOutcomes.contains(id));
		assertThat(this.fixture.job(id).attempt()).isEqualTo(2);
		assertThat(this.fixture.state(id)).isEqualTo(JobState.SUCCEEDED);
		assertWorkerCarriesOn();
	}

	private static int recurseForever(int depth) {
		return recurseForever(depth + 1) + 1;
	}

}
