package io.sqlqueue.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.BatchBuilder.EnqueuedBatch;
import io.sqlqueue.JobState;
import io.sqlqueue.WorkflowBuilder;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.Retention;

/**
 * Retention keeps a batch's or workflow's jobs together: a member that finished long before the others stays
 * until the whole group has finished and that end is past the retention, and then they go together; the group's
 * row and its dependencies go once none of its jobs is left.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class GroupRetentionTests {

	private static final Duration RETENTION = Duration.ofSeconds(2);

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void stopWorkers() {
		this.release.countDown();
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void aMemberThatFinishedEarlyIsKeptUntilItsBatchHasFinishedPastTheRetention() throws Exception {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker()
			.handler("quick", String.class, (s, ctx) -> {
			})
			.handler("slow", String.class, (s, ctx) -> this.release.await())
			.handler("done", String.class, (s, ctx) -> {
			}));
		Maintenance maintenance = Internals.maintenance(this.fixture.queue(), new Retention(RETENTION, RETENTION, RETENTION));
		EnqueuedBatch batch = this.fixture.queue().batch("kept together")
			.add("quick", "a")
			.add("slow", "b")
			.onComplete("done", "c")
			.enqueue();
		long quick = batch.jobIds().get(0);
		long slow = batch.jobIds().get(1);
		long plain = this.fixture.queue().enqueue("quick", "outside any batch");
		this.fixture.awaitState(quick, JobState.SUCCEEDED);
		this.fixture.awaitState(plain, JobState.SUCCEEDED);
		this.fixture.awaitState(slow, JobState.RUNNING);

		// the plain job that finished with the quick member goes once past the retention; the member stays
		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
			maintenance.clean();
			assertThat(this.fixture.queue().find(plain)).isEmpty();
		});
		assertThat(this.fixture.queue().find(quick)).isPresent();

		long releasedAt = System.nanoTime();
		this.release.countDown();
		await().atMost(QueueFixture.PATIENCE)
			.until(() -> this.fixture.queue().batch(batch.id()).orElseThrow().isFinished());
		maintenance.clean();
		if (System.nanoTime() - releasedAt < RETENTION.toNanos()) {
			// the batch finished after the release, and this clean ran within the retention of that
			assertThat(this.fixture.queue().find(quick)).as("a member of a batch finished just now").isPresent();
			assertThat(this.fixture.queue().find(slow)).isPresent();
		}

		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
			maintenance.clean();
			assertThat(this.fixture.queue().find(quick)).isEmpty();
			assertThat(this.fixture.queue().find(slow)).isEmpty();
			assertThat(this.fixture.queue().batch(batch.id())).as("the batch, once its callback is gone too").isEmpty();
		});
	}

	@Test
	void aFinishedWorkflowGoesWithItsDependenciesOnceItsJobsAreGone() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker()
			.handler("step", String.class, (s, ctx) -> {
			}));
		Maintenance maintenance = Internals.maintenance(this.fixture.queue(),
				new Retention(Duration.ZERO, Duration.ZERO, Duration.ZERO));
		EnqueuedWorkflow workflow = this.fixture.queue().workflow("diamond")
			.add("a", "step", "a")
			.add("b", "step", "b", WorkflowBuilder.after("a"))
			.add("c", "step", "c", WorkflowBuilder.after("a"))
			.add("d", "step", "d", WorkflowBuilder.after("b"), WorkflowBuilder.after("c"))
			.onComplete("step", "done")
			.enqueue();
		JdbcTemplate jdbc = new JdbcTemplate(this.fixture.dataSource());
		String edges = "SELECT COUNT(*) FROM sqlqueue_dependency";
		assertThat(jdbc.queryForObject(edges, Integer.class)).isEqualTo(4);
		await().atMost(QueueFixture.PATIENCE).until(() -> this.fixture.queue().count(null, JobState.SUCCEEDED) == 5);

		await().atMost(QueueFixture.PATIENCE).pollDelay(10, TimeUnit.MILLISECONDS).untilAsserted(() -> {
			maintenance.clean();
			assertThat(this.fixture.jobCount()).isZero();
			assertThat(this.fixture.queue().workflow(workflow.id())).isEmpty();
			assertThat(jdbc.queryForObject(edges, Integer.class)).isZero();
		});
	}

}
