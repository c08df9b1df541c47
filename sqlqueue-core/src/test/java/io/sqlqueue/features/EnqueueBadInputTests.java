package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

/**
 * Bad input at enqueue and in configuration: a clear exception naming the problem, and nothing
 * written. Values read from the database never choose a class to instantiate.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class EnqueueBadInputTests {

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
	void aMissingTypeIsRefusedAndNothingIsWritten() {
		this.fixture = QueueFixture.fresh(this.db);
		assertRefused(() -> this.fixture.queue().enqueue((String) null, "payload"), IllegalArgumentException.class,
				"Job type must not be null or blank");
		assertRefused(() -> this.fixture.queue().enqueue("  ", "payload"), IllegalArgumentException.class,
				"Job type must not be null or blank");
		assertRefused(() -> this.fixture.queue().enqueue("t".repeat(256), "payload"), IllegalArgumentException.class,
				"Job type must be at most 255 characters, was 256");
		assertRefused(() -> this.fixture.queue().enqueue(new Unregistered("x")), UnknownJobTypeException.class,
				"No job handler is registered for payload class " + Unregistered.class.getName());
	}

	@Test
	void aPayloadJacksonCannotWriteIsRefusedNamingItsClass() {
		this.fixture = QueueFixture.fresh(this.db);
		assertRefused(() -> this.fixture.queue().enqueue("broken", new Unwritable()), PayloadCodecException.class,
				"Payload of class " + Unwritable.class.getName() + " cannot be written as JSON");
	}

	@Test
	void anOversizePayloadIsRefusedWithItsSizeAndTheLimit() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.maxPayloadBytes(1000));
		assertRefused(() -> this.fixture.queue().enqueue("big", "x".repeat(2000)), IllegalArgumentException.class,
				"Payload of job type 'big' is 2002 bytes of JSON, over the limit of 1000 bytes");
		assertThat(this.fixture.queue().find(this.fixture.queue().enqueue("big", "x".repeat(900)))).isPresent();
		assertThatThrownBy(() -> JdbcJobQueue.builder(this.fixture.dataSource()).maxPayloadBytes(0))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("maxPayloadBytes must be at least 1, was 0");
	}

	@Test
	void badOptionValuesAreRefusedNamingTheOption() {
		this.fixture = QueueFixture.fresh(this.db);
		EnqueueOptions options = EnqueueOptions.defaults();
		assertRefused(() -> enqueue(options.withQueue("no spaces allowed")), IllegalArgumentException.class,
				"Invalid queue name 'no spaces allowed'");
		assertRefused(() -> enqueue(options.withQueue("q".repeat(129))), IllegalArgumentException.class,
				"Invalid queue name");
		assertRefused(() -> enqueue(options.withQueue(null)), IllegalArgumentException.class, "Invalid queue name 'null'");
		assertRefused(() -> enqueue(options.withDelay(Duration.ofSeconds(-1))), IllegalArgumentException.class,
				"delay must not be negative, was PT-1S");
		assertRefused(() -> enqueue(options.withRunAt(null)), NullPointerException.class, "runAt must not be null");
		assertRefused(() -> enqueue(options.withMaxAttempts(0)), IllegalArgumentException.class,
				"maxAttempts must be positive or -1 (no limit), was 0");
		assertRefused(() -> enqueue(options.withUniqueKey(" ")), IllegalArgumentException.class,
				"uniqueKey must not be null or blank");
		assertRefused(() -> enqueue(options.withUniqueKey("k".repeat(256))), IllegalArgumentException.class,
				"uniqueKey must be at most 255 characters, was 256");
		assertRefused(() -> enqueue(options.withOrderingKey("")), IllegalArgumentException.class,
				"orderingKey must not be null or blank");
		assertRefused(() -> enqueue(options.withMetadata("tenant", null)), NullPointerException.class,
				"metadata value for 'tenant' must not be null");
		assertRefused(() -> enqueue(options.withRetention(Duration.ofMinutes(-5))), IllegalArgumentException.class,
				"retention must not be negative, was PT-5M");
		assertRefused(() -> enqueue(options.withParent(777_777)), IllegalArgumentException.class,
				"Parent job 777777 does not exist");
		assertRefused(() -> enqueue(null), NullPointerException.class, "options must not be null");
	}

	@Test
	void oneBadRequestInABatchWritesNoneOfIt() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.maxPayloadBytes(1000));
		assertRefused(() -> this.fixture.queue().enqueueAll(List.of(JobRequest.of("ok", "first"),
				JobRequest.of("ok", "second"), JobRequest.of("ok", new Unwritable()))), PayloadCodecException.class,
				"cannot be written as JSON");
		assertRefused(() -> this.fixture.queue().enqueueAll(List.of(JobRequest.of("ok", "first"),
				JobRequest.of("ok", "x".repeat(2000)))), IllegalArgumentException.class, "over the limit of 1000 bytes");
		assertRefused(() -> this.fixture.queue().enqueueAll(Arrays.asList(JobRequest.of("ok", "first"), null)),
				NullPointerException.class, "requests[1] must not be null");
	}

	@Test
	void aTablePrefixMustBeAnIdentifier() {
		this.fixture = QueueFixture.fresh(this.db);
		assertThatThrownBy(() -> JdbcJobQueue.builder(this.fixture.dataSource()).tablePrefix("x; drop table"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Invalid table prefix 'x; drop table'")
			.hasMessageContaining("letter or '_'");
		assertThatThrownBy(() -> JdbcJobQueue.builder(this.fixture.dataSource()).tablePrefix("jobs\"--"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Invalid table prefix 'jobs\"--'");
		assertThatThrownBy(() -> SqlQueueMigrations.migrate(this.fixture.dataSource(), "q; DELETE FROM sqlqueue_job"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Invalid table prefix 'q; DELETE FROM sqlqueue_job'");
		assertThat(this.fixture.queue().count(null, null)).isZero();
	}

	@Test
	void aClassNameStoredInAPayloadIsNeverInstantiated() {
		this.fixture = QueueFixture.fresh(this.db);
		Map<String, Object> hostile = new HashMap<>();
		hostile.put("@class", Gadget.class.getName());
		hostile.put("command", "rm -rf /");
		Map<String, Object> received = new HashMap<>();
		this.fixture.start(this.fixture.worker()
			.handler("anything", Object.class, (payload, ctx) -> received.put("payload", payload))
			.handler("shape", Shape.class, (shape, ctx) -> received.put("shape", shape)));

		long asObject = this.fixture.queue().enqueue("anything", hostile);
		long asShape = this.fixture.queue().enqueue("shape", hostile);

		this.fixture.awaitState(asObject, JobState.SUCCEEDED);
		assertThat(received.get("payload")).isInstanceOf(Map.class);
		Job dead = this.fixture.awaitState(asShape, JobState.DEAD);
		assertThat(dead.attempt()).isEqualTo(1);
		assertThat(dead.lastError()).contains("cannot be bound to " + Shape.class.getName());
		assertThat(received).doesNotContainKey("shape");
		assertThat(Gadget.instances.get()).isZero();
	}

	private long enqueue(EnqueueOptions options) {
		return this.fixture.queue().enqueue("send", "payload", options);
	}

	/** Asserts that {@code call} throws {@code type} with a message containing {@code message}, and wrote nothing. */
	private void assertRefused(ThrowingCallable call, Class<? extends Throwable> type, String message) {
		long before = this.fixture.jobCount();
		assertThatThrownBy(call).isInstanceOf(type).hasMessageContaining(message);
		assertThat(this.fixture.jobCount()).as("jobs written").isEqualTo(before);
	}

	record Unregistered(String value) {
	}

	/** A payload whose getter fails, so Jackson cannot write it. */
	static final class Unwritable {

		public String getValue() {
			throw new IllegalStateException("not serialisable");
		}

	}

	/** A class a hostile payload names; it must never be constructed. */
	static final class Gadget implements Shape {

		static final AtomicInteger instances = new AtomicInteger();

		Gadget() {
			instances.incrementAndGet();
		}

	}

	interface Shape {

	}

}
