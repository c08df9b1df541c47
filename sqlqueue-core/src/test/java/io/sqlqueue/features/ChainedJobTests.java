package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;

/**
 * Chained jobs (seed 001's {@code Parent} and {@code OnSuccess}): a child waits for its parent,
 * runs once the parent succeeds, and is cancelled with the reason when the parent dies; follow-up
 * jobs exist only if their parent's success was recorded.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ChainedJobTests {

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
	void childWaitsWhileItsParentIsReadyRunningOrRetryingAndRunsAfterItSucceeded() throws Exception {
		Map<String, JobState> childSeen = new ConcurrentHashMap<>();
		long[] ids = new long[2];
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.listener(new JobEventListener() {
			@Override
			public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
				if (job.id() == ids[0] && outcome == Outcome.RETRIED) {
					// the parent's retry is recorded: it is READY again, waiting for its backoff
					childSeen.put("parent retrying", ChainedJobTests.this.fixture.state(ids[1]));
				}
			}
		}));
		CountDownLatch parentMayFinish = new CountDownLatch(1);
		ids[0] = this.fixture.queue().enqueue("parent", "p");
		ids[1] = this.fixture.queue().enqueue("child", "c", EnqueueOptions.defaults().withParent(ids[0]));
		childSeen.put("parent ready", this.fixture.state(ids[1]));
		List<JobState> parentStateWhenChildRan = new CopyOnWriteArrayList<>();

		this.fixture.start(this.fixture.worker().handler("parent", String.class, (payload, ctx) -> {
			if (ctx.attempt() == 1) {
				throw new IllegalStateException("first attempt fails");
			}
			childSeen.put("parent running", this.fixture.state(ids[1]));
			parentMayFinish.await(20, TimeUnit.SECONDS);
		}).handler("child", String.class, (payload, ctx) -> parentStateWhenChildRan.add(this.fixture.state(ids[0]))));

		await().atMost(QueueFixture.PATIENCE).until(() -> childSeen.size() == 3);
		assertThat(this.fixture.state(ids[1])).isEqualTo(JobState.WAITING);
		parentMayFinish.countDown();

		Job child = this.fixture.awaitState(ids[1], JobState.SUCCEEDED);
		assertThat(childSeen).containsEntry("parent ready", JobState.WAITING)
			.containsEntry("parent retrying", JobState.WAITING)
			.containsEntry("parent running", JobState.WAITING);
		assertThat(parentStateWhenChildRan).containsExactly(JobState.SUCCEEDED);
		assertThat(child.parentId()).isEqualTo(ids[0]);
		assertThat(child.attempt()).isEqualTo(1);
	}

	@Test
	void childrenAndGrandchildrenAreCancelledWithTheReasonWhenTheParentDies() {
		this.fixture = QueueFixture.fresh(this.db);
		long parent = this.fixture.queue().enqueue("parent", "p");
		long child = this.fixture.queue().enqueue("child", "c", EnqueueOptions.defaults().withParent(parent));
		long grandchild = this.fixture.queue().enqueue("child", "g", EnqueueOptions.defaults().withParent(child));
		List<String> childRuns = new CopyOnWriteArrayList<>();

		this.fixture.start(this.fixture.worker()
			.handler("parent", String.class, (payload, ctx) -> {
				throw new NonRetryableJobException("the order was deleted");
			})
			.handler("child", String.class, (payload, ctx) -> childRuns.add(payload)));

		assertThat(this.fixture.awaitState(parent, JobState.DEAD).lastError()).contains("the order was deleted");
		Job cancelledChild = this.fixture.awaitState(child, JobState.CANCELLED);
		assertThat(cancelledChild.lastError()).contains("parent job " + parent).contains("DEAD");
		assertThat(cancelledChild.finishedAt()).isNotNull();
		Job cancelledGrandchild = this.fixture.awaitState(grandchild, JobState.CANCELLED);
		assertThat(cancelledGrandchild.lastError()).contains("parent job " + child).contains("CANCELLED");
		assertThat(childRuns).isEmpty();
	}

	@Test
	void childIsCancelledWhenItsParentIsKilledOrCancelledByHand() {
		this.fixture = QueueFixture.fresh(this.db);
		long killedParent = this.fixture.queue().enqueue("parent", "p1");
		long childOfKilled = this.fixture.queue()
			.enqueue("child", "c1", EnqueueOptions.defaults().withParent(killedParent));
		long cancelledParent = this.fixture.queue().enqueue("parent", "p2");
		long childOfCancelled = this.fixture.queue().enqueue("child", "c2",
				EnqueueOptions.defaults().withParent(cancelledParent));

		assertThat(this.fixture.queue().kill(killedParent, "customer asked")).isTrue();
		assertThat(this.fixture.queue().cancel(cancelledParent)).isTrue();

		assertThat(this.fixture.job(childOfKilled)).satisfies((job) -> {
			assertThat(job.state()).isEqualTo(JobState.CANCELLED);
			assertThat(job.lastError()).contains("parent job " + killedParent).contains("DEAD");
		});
		assertThat(this.fixture.job(childOfCancelled)).satisfies((job) -> {
			assertThat(job.state()).isEqualTo(JobState.CANCELLED);
			assertThat(job.lastError()).contains("parent job " + cancelledParent).contains("CANCELLED");
		});
	}

	@Test
	void aChildOfAFinishedParentIsReadyAtOnceOrRefused() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker().handler("parent", String.class, (payload, ctx) -> {
			if (payload.equals("dies")) {
				throw new NonRetryableJobException("no");
			}
		}));
		long succeeded = this.fixture.queue().enqueue("parent", "ok");
		long dead = this.fixture.queue().enqueue("parent", "dies");
		this.fixture.awaitState(succeeded, JobState.SUCCEEDED);
		this.fixture.awaitState(dead, JobState.DEAD);

		long child = this.fixture.queue().enqueue("later", "c", EnqueueOptions.defaults().withParent(succeeded));
		assertThat(this.fixture.state(child)).isEqualTo(JobState.READY);
		long before = this.fixture.jobCount();
		assertThatThrownBy(() -> this.fixture.queue().enqueue("later", "c", EnqueueOptions.defaults().withParent(dead)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Parent job " + dead)
			.hasMessageContaining("DEAD");
		assertThatThrownBy(() -> this.fixture.queue().enqueue("later", "c",
				EnqueueOptions.defaults().withParent(999_999)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Parent job 999999 does not exist");
		assertThat(this.fixture.jobCount()).isEqualTo(before);
	}

	@Test
	void followUpJobsExistOnlyWhenTheParentsSuccessIsRecorded() throws Exception {
		this.fixture = QueueFixture.fresh(this.db);
		CountDownLatch slowStarted = new CountDownLatch(1);
		CountDownLatch slowMayReturn = new CountDownLatch(1);
		List<String> receipts = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.start(this.fixture.worker()
			.handler("order", String.class, (order, ctx) -> {
				ctx.enqueueOnSuccess("receipt", "receipt for " + order,
						EnqueueOptions.defaults().withMetadata("order-job", Long.toString(ctx.id())));
				if (order.equals("fails")) {
					throw new NonRetryableJobException("payment declined");
				}
				if (order.equals("killed while running")) {
					slowStarted.countDown();
					slowMayReturn.await(20, TimeUnit.SECONDS);
				}
			})
			.handler("receipt", String.class, (receipt, ctx) -> receipts.add(receipt)));

		long ok = this.fixture.queue().enqueue("order", "ok", EnqueueOptions.defaults().withMaxAttempts(1));
		long fails = this.fixture.queue().enqueue("order", "fails", EnqueueOptions.defaults().withMaxAttempts(1));
		long killed = this.fixture.queue().enqueue("order", "killed while running");
		assertThat(slowStarted.await(20, TimeUnit.SECONDS)).isTrue();
		assertThat(this.fixture.queue().kill(killed, "operator stopped it")).isTrue();
		slowMayReturn.countDown();

		this.fixture.awaitState(ok, JobState.SUCCEEDED);
		this.fixture.awaitState(fails, JobState.DEAD);
		await().atMost(QueueFixture.PATIENCE).until(() -> receipts.size() == 1);
		// the killed run has returned and its success was refused; the worker carries on
		long afterwards = this.fixture.queue().enqueue("order", "afterwards");
		this.fixture.awaitState(afterwards, JobState.SUCCEEDED);
		await().atMost(QueueFixture.PATIENCE).until(() -> receipts.size() == 2);

		List<Job> receiptJobs = this.fixture.queue().list(JobQuery.all().ofType("receipt"));
		assertThat(receiptJobs).extracting((job) -> job.metadata().get("order-job"))
			.containsExactlyInAnyOrder(Long.toString(ok), Long.toString(afterwards));
		assertThat(receipts).containsExactlyInAnyOrder("receipt for ok", "receipt for afterwards");
		assertThat(this.fixture.state(killed)).isEqualTo(JobState.DEAD);
		assertThat(worker.isRunning()).isTrue();
	}

	@Test
	void aFollowUpThatCannotBeEnqueuedDeadLettersItsParentWithTheReasonAndBlocksNoOtherSuccess() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.maxPayloadBytes(1000));
		this.fixture.start(this.fixture.worker().handler("order", String.class, (order, ctx) -> {
			if (order.equals("huge follow-up")) {
				ctx.enqueueOnSuccess("receipt", "x".repeat(2000));
			}
			else if (order.equals("orphan follow-up")) {
				ctx.enqueueOnSuccess("receipt", "r", EnqueueOptions.defaults().withParent(31_337));
			}
			else {
				ctx.enqueueOnSuccess("receipt", "receipt for " + order);
			}
		}));

		long huge = this.fixture.queue().enqueue("order", "huge follow-up");
		long orphan = this.fixture.queue().enqueue("order", "orphan follow-up");
		List<Long> fine = List.of(this.fixture.queue().enqueue("order", "a"),
				this.fixture.queue().enqueue("order", "b"));

		fine.forEach((id) -> this.fixture.awaitState(id, JobState.SUCCEEDED));
		assertThat(this.fixture.awaitState(huge, JobState.DEAD).lastError())
			.contains("succeeded but its follow-up jobs could not be enqueued")
			.contains("over the limit of 1000 bytes");
		assertThat(this.fixture.awaitState(orphan, JobState.DEAD).lastError())
			.contains("succeeded but its follow-up jobs could not be enqueued")
			.contains("Parent job 31337 does not exist");
		assertThat(this.fixture.queue().list(JobQuery.all().ofType("receipt"))).extracting(Job::payload)
			.containsExactlyInAnyOrder("\"receipt for a\"", "\"receipt for b\"");
	}

	@Test
	void aBatchWithABadParentWritesNothing() {
		this.fixture = QueueFixture.fresh(this.db);
		long parent = this.fixture.queue().enqueue("parent", "p");
		assertThatThrownBy(() -> this.fixture.queue().enqueueAll(List.of(
				JobRequest.of("child", "first", EnqueueOptions.defaults().withParent(parent)),
				JobRequest.of("child", "second", EnqueueOptions.defaults().withParent(424_242)))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Parent job 424242 does not exist");
		assertThat(this.fixture.jobCount()).isEqualTo(1);
	}

}
