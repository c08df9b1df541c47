package io.sqlqueue.groups;

import static io.sqlqueue.WorkflowBuilder.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.BatchBuilder.EnqueuedBatch;
import io.sqlqueue.ClaimedJob;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.Retention;

/**
 * The maintenance sweep finishes what no member's end looked at: when the last member of a batch, or a step a
 * workflow waits for, ran out of its lease on its last attempt, the lease rescue makes it DEAD without an outcome
 * written by a worker, and only the sweep releases the callbacks or cancels the dependents. Open groups with
 * members left stay as they are.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class GroupSweepTests {

	private static final Duration LEASE = Duration.ofSeconds(1);

	private static final EnqueueOptions ONE_ATTEMPT = EnqueueOptions.defaults().withMaxAttempts(1);

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private JdbcJobQueue jobs;

	private Maintenance maintenance;

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.jobs = this.fixture.queue();
		this.maintenance = Internals.maintenance(this.jobs, Retention.DEFAULT);
	}

	@AfterEach
	void tearDown() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void aBatchWhoseLastMemberRanOutOfLeaseOnItsLastAttemptIsFinishedByTheSweep() {
		EnqueuedBatch batch = this.jobs.batch("import")
			.add("row", "a", ONE_ATTEMPT)
			.add("row", "b", ONE_ATTEMPT)
			.onComplete("report", "done")
			.onSuccess("celebrate", "all good")
			.onFailure("alert", "a row died")
			.enqueue();
		EnqueuedBatch untouched = this.jobs.batch("not started").add("row", "c").onComplete("report", "done").enqueue();
		List<ClaimedJob> claimed = this.jobs.claim("default", 2, LEASE);
		assertThat(claimed).extracting(ClaimedJob::id).containsExactlyElementsOf(batch.jobIds());
		claimed.get(0).complete();
		// the worker that holds the other member dies: nothing ends it but the lease rescue

		await().atMost(QueueFixture.PATIENCE).pollInterval(Duration.ofMillis(100))
			.until(() -> this.maintenance.rescue() > 0);

		JobGroup group = this.jobs.batch(batch.id()).orElseThrow();
		assertThat(group.isFinished()).as("finished by the sweep").isTrue();
		assertThat(group.count(JobState.SUCCEEDED)).isEqualTo(1);
		assertThat(group.count(JobState.DEAD)).isEqualTo(1);
		assertThat(group.callbacks()).extracting(JobGroup.Member::type, JobGroup.Member::state)
			.containsExactlyInAnyOrder(tuple("report", JobState.READY),
					tuple("alert", JobState.READY),
					tuple("celebrate", JobState.CANCELLED));
		assertThat(this.jobs.batch(untouched.id()).orElseThrow().isFinished())
			.as("a batch with a member still READY stays open").isFalse();
		assertThat(this.maintenance.rescue()).as("a second sweep finds nothing to do").isZero();
		assertThat(this.jobs.batch(batch.id()).orElseThrow().callbacks()).extracting(JobGroup.Member::state)
			.containsExactlyInAnyOrder(JobState.READY, JobState.READY, JobState.CANCELLED);
	}

	@Test
	void aStepWhoseDependencyRanOutOfLeaseOnItsLastAttemptIsCancelledByTheSweepAndItsWorkflowFinished() {
		EnqueuedWorkflow workflow = this.jobs.workflow("order")
			.add("charge", "charge", "order 1", ONE_ATTEMPT)
			.add("ship", "ship", "order 1", after("charge"))
			.onFailure("refund", "order 1")
			.enqueue();
		EnqueuedWorkflow waiting = this.jobs.workflow("other order")
			.add("charge", "charge", "order 2")
			.add("ship", "ship", "order 2", after("charge"))
			.enqueue();
		long charge = workflow.steps().get("charge");
		List<ClaimedJob> claimed = this.jobs.claim("default", 1, LEASE);
		assertThat(claimed).extracting(ClaimedJob::id).containsExactly(charge);

		await().atMost(QueueFixture.PATIENCE).pollInterval(Duration.ofMillis(100))
			.until(() -> this.maintenance.rescue() > 0);

		JobGroup group = this.jobs.workflow(workflow.id()).orElseThrow();
		assertThat(group.isFinished()).as("finished by the sweep").isTrue();
		assertThat(group.members()).extracting(JobGroup.Member::step, JobGroup.Member::state)
			.containsExactly(tuple("charge", JobState.DEAD),
					tuple("ship", JobState.CANCELLED));
		assertThat(this.jobs.find(workflow.steps().get("ship")).orElseThrow().lastError())
			.as("the dependent says why").contains("charge");
		assertThat(group.callbacks()).extracting(JobGroup.Member::type, JobGroup.Member::state)
			.containsExactly(tuple("refund", JobState.READY));
		JobGroup other = this.jobs.workflow(waiting.id()).orElseThrow();
		assertThat(other.isFinished()).as("a workflow whose first step is still READY stays open").isFalse();
		assertThat(other.members()).extracting(JobGroup.Member::state).containsExactly(JobState.READY, JobState.WAITING);
	}

}
