package io.sqlqueue.suite;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cancelling: a READY job never runs; a RUNNING job's handler is told and its job ends CANCELLED. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class CancelTests {

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
	void aCancelledReadyJobNeverRuns() {
		AtomicInteger runs = new AtomicInteger();
		long cancelled = this.jobs.enqueue("task", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofMillis(300)));
		assertThat(this.jobs.cancel(cancelled)).isTrue();
		this.fixture.start(this.fixture.worker()
			.handler(HandlerSpec.of("task", Map.class, (payload, ctx) -> runs.incrementAndGet())));

		long marker = this.jobs.enqueue("task", Map.of(), EnqueueOptions.defaults().withDelay(Duration.ofMillis(600)));

		this.fixture.awaitState(marker, JobState.SUCCEEDED);
		assertThat(runs).hasValue(1);
		assertThat(this.fixture.state(cancelled)).isEqualTo(JobState.CANCELLED);
	}

	@Test
	void aRunningHandlerSeesTheCancellationAndItsJobEndsCancelled() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		this.fixture.start(this.fixture.worker().handler(HandlerSpec.of("long", Map.class, (payload, ctx) -> {
			started.countDown();
			long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (System.nanoTime() < end) {
				ctx.heartbeat();
				if (ctx.isCancellationRequested()) {
					throw new IllegalStateException("stopped on request after some work");
				}
				Thread.sleep(50);
			}
		})));
		long id = this.jobs.enqueue("long", Map.of());
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

		assertThat(this.jobs.cancel(id)).as("a running job can be asked to cancel").isTrue();

		this.fixture.awaitState(id, JobState.CANCELLED);
		Job cancelled = this.fixture.job(id);
		assertThat(cancelled.attempt()).isEqualTo(1);
		assertThat(cancelled.finishedAt()).isNotNull();
		assertThat(cancelled.lastError()).startsWith("Cancelled").contains("stopped on request");
	}

}
