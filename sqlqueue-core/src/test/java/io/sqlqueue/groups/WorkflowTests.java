package io.sqlqueue.groups;

import static io.sqlqueue.WorkflowBuilder.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.WorkflowBuilder;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;

/**
 * Workflows on every database: steps run once the steps they come after have succeeded, read their results, are
 * cancelled (or run anyway) when one dies, and a bad graph writes nothing.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class WorkflowTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	record Number(int value) {
	}

	@Test
	void aDiamondRunsEachStepAfterItsDependenciesAndPassesResultsAlongTheEdges() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> ran = new CopyOnWriteArrayList<>();
		Map<String, Integer> seen = new ConcurrentHashMap<>();
		JobWorker worker = this.fixture.worker()
			.handler("start", Number.class, (n, ctx) -> {
				ran.add("a");
				ctx.setResult(new Number(n.value()));
			})
			.handler("double", Number.class, (n, ctx) -> {
				ran.add(ctx.metadata().get("name"));
				ctx.setResult(new Number(ctx.dependencyResult("a", Number.class).value() * n.value()));
			})
			.handler("sum", Number.class, (n, ctx) -> {
				ran.add("d");
				seen.put("b", ctx.dependencyResult("b", Number.class).value());
				seen.put("c", ctx.dependencyResult("c", Number.class).value());
				seen.put("steps", (int) ctx.workflow().orElseThrow().total());
				assertThat(ctx.batch()).as("a workflow is not a batch").isEmpty();
				assertThatThrownBy(() -> ctx.dependencyResult("a", Number.class))
					.hasMessageContaining("depends on no step 'a': it depends on b, c");
			})
			.build();
		EnqueuedWorkflow flow = this.fixture.queue().workflow("diamond")
			.add("a", "start", new Number(5))
			.add("b", "double", new Number(2), io.sqlqueue.EnqueueOptions.defaults().withMetadata(Map.of("name", "b")),
					after("a"))
			.add("c", "double", new Number(3), io.sqlqueue.EnqueueOptions.defaults().withMetadata(Map.of("name", "c")),
					after("a"))
			.add("d", "sum", new Number(0), after("b"), after("c"))
			.enqueue();

		assertThat(this.fixture.state(flow.steps().get("a"))).isEqualTo(JobState.READY);
		assertThat(this.fixture.state(flow.steps().get("d"))).isEqualTo(JobState.WAITING);
		worker.drain();

		assertThat(ran).hasSize(4);
		assertThat(ran.get(0)).isEqualTo("a");
		assertThat(ran.subList(1, 3)).containsExactlyInAnyOrder("b", "c");
		assertThat(ran.get(3)).isEqualTo("d");
		assertThat(seen).containsEntry("b", 10).containsEntry("c", 15).containsEntry("steps", 4);
		JobGroup group = this.fixture.queue().workflow(flow.id()).orElseThrow();
		assertThat(group.isFinished()).isTrue();
		assertThat(group.succeeded()).isTrue();
		assertThat(group.count(JobState.SUCCEEDED)).isEqualTo(4);
		assertThat(group.members()).extracting(JobGroup.Member::step).containsExactly("a", "b", "c", "d");
		assertThat(group.members().get(3).after()).containsExactlyInAnyOrder("b", "c");
		assertThat(this.fixture.queue().batch(flow.id())).as("a workflow is not a batch").isEmpty();
	}

	@Test
	void aDependencyThatDiesCancelsItsDependentsWithTheReasonUnlessTheyRunAnyway() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> ran = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker()
			.handler("fail", String.class, (s, ctx) -> {
				throw new NonRetryableJobException("broken " + s);
			})
			.handler("step", String.class, (s, ctx) -> ran.add(s))
			.build();
		EnqueuedWorkflow flow = this.fixture.queue().workflow("dies")
			.add("fetch", "fail", "fetch")
			.add("resize", "step", "resize", after("fetch"))
			.add("publish", "step", "publish", after("resize"))
			.add("cleanup", "step", "cleanup", after("fetch").runAnyway())
			.onFailure("step", "failure callback")
			.onSuccess("step", "success callback")
			.enqueue();

		worker.drain();

		assertThat(ran).containsExactlyInAnyOrder("cleanup", "failure callback");
		assertThat(this.fixture.state(flow.steps().get("fetch"))).isEqualTo(JobState.DEAD);
		assertThat(this.fixture.job(flow.steps().get("resize")).lastError())
			.isEqualTo("Cancelled: step 'fetch' (job " + flow.steps().get("fetch") + ") is DEAD, so this step would never run");
		assertThat(this.fixture.job(flow.steps().get("publish")).lastError())
			.startsWith("Cancelled: step 'resize' (job " + flow.steps().get("resize") + ") is CANCELLED");
		JobGroup group = this.fixture.queue().workflow(flow.id()).orElseThrow();
		assertThat(group.isFinished()).isTrue();
		assertThat(group.count(JobState.DEAD)).isEqualTo(1);
		assertThat(group.count(JobState.CANCELLED)).isEqualTo(2);
		assertThat(group.callbacks()).extracting(JobGroup.Member::step, JobGroup.Member::state)
			.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("onFailure", JobState.SUCCEEDED),
					org.assertj.core.groups.Tuple.tuple("onSuccess", JobState.CANCELLED));
	}

	@Test
	void unknownStepsAndCyclesAreRejectedBeforeAnythingIsWritten() {
		this.fixture = QueueFixture.fresh(this.db);
		WorkflowBuilder unknown = this.fixture.queue().workflow("typo")
			.add("fetch", "step", "x")
			.add("resize", "step", "x", after("fecth"));
		assertThatThrownBy(unknown::enqueue).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Step 'resize' of workflow 'typo' comes after step 'fecth', which the workflow does not have");
		WorkflowBuilder cycle = this.fixture.queue().workflow("loop")
			.add("a", "step", "x", after("c"))
			.add("b", "step", "x", after("a"))
			.add("c", "step", "x", after("b"))
			.add("d", "step", "x");
		assertThatThrownBy(cycle::enqueue).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("wait for each other in a cycle (a waits for c waits for b waits for a)");
		assertThatThrownBy(() -> this.fixture.queue().workflow("twice").add("a", "step", "x").add("a", "step", "y"))
			.hasMessage("Workflow 'twice' already has a step named 'a'");
		assertThatThrownBy(() -> this.fixture.queue().workflow("empty").enqueue()).hasMessage("Workflow 'empty' has no step");
		assertThat(this.fixture.jobCount()).isZero();
	}

	@Test
	void aThreeLevelFanOutOfAThousandLeavesFansInOnceAllHaveSucceeded() {
		this.fixture = QueueFixture.fresh(this.db);
		AtomicInteger leaves = new AtomicInteger();
		List<Integer> leavesDoneWhenFanInRan = new CopyOnWriteArrayList<>();
		WorkflowBuilder flow = this.fixture.queue().workflow("fan");
		flow.add("root", "noop", 0);
		List<WorkflowBuilder.After> allLeaves = new ArrayList<>();
		for (int m = 0; m < 10; m++) {
			flow.add("mid-" + m, "noop", 0, after("root"));
			for (int l = 0; l < 100; l++) {
				String leaf = "leaf-" + m + "-" + l;
				flow.add(leaf, "leaf", 0, after("mid-" + m));
				allLeaves.add(after(leaf));
			}
		}
		flow.add("fan-in", "fan-in", 0, allLeaves.toArray(WorkflowBuilder.After[]::new));
		EnqueuedWorkflow enqueued = flow.enqueue();
		this.fixture.start(this.fixture.worker()
			.handler("noop", Integer.class, (n, ctx) -> {
			})
			.handler("leaf", Integer.class, (n, ctx) -> leaves.incrementAndGet())
			.handler("fan-in", Integer.class, (n, ctx) -> leavesDoneWhenFanInRan.add(leaves.get())));

		long fanIn = enqueued.steps().get("fan-in");
		this.fixture.awaitState(fanIn, JobState.SUCCEEDED);
		assertThat(leavesDoneWhenFanInRan).containsExactly(1000);
		await().atMost(QueueFixture.PATIENCE)
			.until(() -> this.fixture.queue().workflow(enqueued.id()).orElseThrow().isFinished());
		JobGroup group = this.fixture.queue().workflow(enqueued.id()).orElseThrow();
		assertThat(group.count(JobState.SUCCEEDED)).isEqualTo(1012);
		assertThat(group.members()).hasSize(JobGroup.MEMBERS_SHOWN);
	}

	@Test
	void cancellingAWorkflowCancelsWhatHasNotRunAndItsCallbacks() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> ran = Collections.synchronizedList(new ArrayList<>());
		JobWorker worker = this.fixture.worker().handler("step", String.class, (s, ctx) -> ran.add(s)).build();
		EnqueuedWorkflow flow = this.fixture.queue().workflow("cancelled")
			.add("a", "step", "a")
			.add("b", "step", "b", after("a"))
			.onComplete("step", "callback")
			.enqueue();

		assertThat(this.fixture.queue().cancelGroup(flow.id())).isEqualTo(3);
		worker.drain();

		assertThat(ran).isEmpty();
		JobGroup group = this.fixture.queue().workflow(flow.id()).orElseThrow();
		assertThat(group.cancelled()).isTrue();
		assertThat(group.isFinished()).isTrue();
		assertThat(group.count(JobState.CANCELLED)).isEqualTo(2);
		assertThat(group.callbacks()).extracting(JobGroup.Member::state).containsExactly(JobState.CANCELLED);
		assertThat(this.fixture.job(flow.steps().get("b")).lastError()).isEqualTo("Cancelled with its workflow " + flow.id());
		assertThatThrownBy(() -> this.fixture.queue().cancelGroup(flow.id() + 1000))
			.hasMessage("There is no batch or workflow " + (flow.id() + 1000));
	}

}
