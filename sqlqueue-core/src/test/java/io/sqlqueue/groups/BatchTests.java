package io.sqlqueue.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.BatchBuilder.EnqueuedBatch;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;

/**
 * Batches on every database: callbacks run once when every member has finished, by outcome, with the counts; a
 * member can add members while it runs; two nodes finishing the last members at once release each callback once.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class BatchTests {

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
	void callbacksRunOnceWhenEveryMemberHasSucceededWithTheCounts() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> callbacks = new CopyOnWriteArrayList<>();
		List<Long> countsSeen = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker()
			.handler("member", Integer.class, (n, ctx) -> {
				assertThat(ctx.batch()).isPresent();
			})
			.handler("callback", String.class, (when, ctx) -> {
				callbacks.add(when);
				JobGroup batch = ctx.batch().orElseThrow();
				countsSeen.add(batch.count(JobState.SUCCEEDED));
				countsSeen.add(batch.total());
			})
			.build();
		EnqueuedBatch batch = this.fixture.queue().batch("twenty")
			.addAll(IntStream.range(0, 20).mapToObj((i) -> JobRequest.of("member", i)).toList())
			.onComplete("callback", "complete")
			.onSuccess(JobRequest.of("callback", "success", io.sqlqueue.EnqueueOptions.defaults().withPriority(5)))
			.onFailure("callback", "failure")
			.enqueue();

		assertThat(batch.jobIds()).hasSize(20);
		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().callbacks())
			.extracting((callback) -> this.fixture.job(callback.jobId()).priority())
			.containsExactly(0, 5, 0);
		JobGroup before = this.fixture.queue().batch(batch.id()).orElseThrow();
		assertThat(before.isFinished()).isFalse();
		assertThat(before.count(JobState.READY)).isEqualTo(20);
		assertThat(before.callbacks()).extracting(JobGroup.Member::state).containsOnly(JobState.WAITING);
		worker.drain();

		assertThat(callbacks).containsExactlyInAnyOrder("complete", "success");
		assertThat(countsSeen).containsExactly(20L, 20L, 20L, 20L);
		JobGroup after = this.fixture.queue().batch(batch.id()).orElseThrow();
		assertThat(after.succeeded()).isTrue();
		assertThat(after.callbacks()).extracting(JobGroup.Member::step, JobGroup.Member::state, JobGroup.Member::lastError)
			.contains(tuple("onFailure", JobState.CANCELLED, "Not run: every job of batch " + batch.id() + " succeeded"));
	}

	@Test
	void aMemberThatDiesRunsOnFailureAndOnCompleteButNotOnSuccess() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> callbacks = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker()
			.handler("member", Integer.class, (n, ctx) -> {
				if (n == 3) {
					throw new NonRetryableJobException("three is broken");
				}
			})
			.handler("callback", String.class, (when, ctx) -> callbacks.add(when + " " + ctx.batch().orElseThrow().count(JobState.DEAD)))
			.build();
		EnqueuedBatch batch = this.fixture.queue().batch("one dies")
			.addAll(IntStream.range(0, 5).mapToObj((i) -> JobRequest.of("member", i)).toList())
			.onComplete("callback", "complete")
			.onSuccess("callback", "success")
			.onFailure("callback", "failure")
			.enqueue();

		worker.drain();

		assertThat(callbacks).containsExactlyInAnyOrder("complete 1", "failure 1");
		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().callbacks())
			.extracting(JobGroup.Member::step, JobGroup.Member::lastError)
			.contains(tuple("onSuccess", "Not run: batch " + batch.id() + " finished with 1 dead and 0 cancelled jobs"));
	}

	@Test
	void aRunningMemberAddsMembersAndTheCallbacksWaitForThem() {
		this.fixture = QueueFixture.fresh(this.db);
		AtomicInteger leaves = new AtomicInteger();
		List<Integer> leavesWhenCallbackRan = new CopyOnWriteArrayList<>();
		JobWorker worker = this.fixture.worker()
			.handler("split", Integer.class, (n, ctx) -> ctx.addAllToBatch(
					IntStream.range(0, n).mapToObj((i) -> JobRequest.of("leaf", i)).toList()))
			.handler("leaf", Integer.class, (n, ctx) -> leaves.incrementAndGet())
			.handler("done", String.class, (s, ctx) -> leavesWhenCallbackRan.add(leaves.get()))
			.build();
		EnqueuedBatch batch = this.fixture.queue().batch("fan-out")
			.add("split", 5)
			.add("split", 7)
			.onSuccess("done", "x")
			.enqueue();

		worker.drain();

		assertThat(leavesWhenCallbackRan).containsExactly(12);
		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().count(JobState.SUCCEEDED)).isEqualTo(14);
		assertThatThrownBy(() -> this.fixture.queue().addToBatch(batch.id(), List.of(JobRequest.of("leaf", 1))))
			.isInstanceOf(IllegalStateException.class)
			.hasMessage("Batch " + batch.id() + " (fan-out) has finished: no job can be added to it");
		assertThatThrownBy(() -> this.fixture.queue().addToBatch(batch.id() + 100, List.of(JobRequest.of("leaf", 1))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("There is no batch " + (batch.id() + 100) + " to add jobs to");
		assertThatThrownBy(() -> this.fixture.queue().batch("empty").enqueue())
			.hasMessage("Batch 'empty' has no job: add jobs before enqueueing it");
		assertThatThrownBy(() -> this.fixture.queue().batch("unique").add("leaf", 1,
				io.sqlqueue.EnqueueOptions.defaults().withUniqueKey("leaf-1")))
			.hasMessage("A job of type 'leaf' with unique key 'leaf-1' cannot be a batch's member: a member is always"
					+ " enqueued with its batch, never replaced by another job");
	}

	@Test
	void aMemberKilledByAnOperatorFinishesTheBatch() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> callbacks = new CopyOnWriteArrayList<>();
		JobWorker worker = memberAndCallbackWorker(callbacks);
		EnqueuedBatch batch = this.fixture.queue().batch("killed")
			.add("member", 1)
			.onFailure("callback", "failure")
			.enqueue();

		// the batch's last member ends by an operator's hand, not a worker's outcome
		assertThat(this.fixture.queue().kill(batch.jobIds().get(0), "not wanted")).isTrue();
		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().isFinished()).isTrue();
		worker.drain();

		assertThat(callbacks).containsExactly("failure");
	}

	@Test
	void aMemberKilledInTheApplicationsTransactionFinishesTheBatchWhenThatCommits() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> callbacks = new CopyOnWriteArrayList<>();
		JobWorker worker = memberAndCallbackWorker(callbacks);
		EnqueuedBatch batch = this.fixture.queue().batch("killed in a transaction")
			.add("member", 1)
			.onFailure("callback", "failure")
			.enqueue();
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.fixture.dataSource()));

		transaction.executeWithoutResult((status) -> {
			assertThat(this.fixture.queue().kill(batch.jobIds().get(0), "not wanted")).isTrue();
			// the queue joined the transaction: the batch is looked at once the kill is committed
			assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().isFinished()).isFalse();
		});

		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().isFinished()).isTrue();
		worker.drain();
		assertThat(callbacks).containsExactly("failure");
	}

	@Test
	void aKillRolledBackWithTheApplicationsTransactionLeavesTheBatchToItsMembers() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> callbacks = new CopyOnWriteArrayList<>();
		JobWorker worker = memberAndCallbackWorker(callbacks);
		EnqueuedBatch batch = this.fixture.queue().batch("kill rolled back")
			.add("member", 1)
			.onComplete("callback", "complete")
			.onFailure("callback", "failure")
			.enqueue();
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.fixture.dataSource()));

		transaction.executeWithoutResult((status) -> {
			assertThat(this.fixture.queue().kill(batch.jobIds().get(0), "not wanted")).isTrue();
			status.setRollbackOnly();
		});

		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().isFinished()).isFalse();
		assertThat(this.fixture.state(batch.jobIds().get(0))).isEqualTo(JobState.READY);
		worker.drain();
		assertThat(this.fixture.queue().batch(batch.id()).orElseThrow().isFinished()).isTrue();
		assertThat(callbacks).containsExactly("complete");
	}

	/** A worker whose members do nothing and whose callbacks add their payload to {@code callbacks}. */
	private JobWorker memberAndCallbackWorker(List<String> callbacks) {
		return this.fixture.worker()
			.handler("member", Integer.class, (n, ctx) -> {
			})
			.handler("callback", String.class, (when, ctx) -> callbacks.add(when))
			.build();
	}

	@Test
	void twoNodesFinishingTheLastMembersAtOnceReleaseEachCallbackOnce() {
		this.fixture = QueueFixture.fresh(this.db);
		Map<Long, AtomicInteger> callbackRuns = new ConcurrentHashMap<>();
		List<Long> batches = new ArrayList<>();
		for (int b = 0; b < 100; b++) {
			int size = 2 + (b % 4);
			batches.add(this.fixture.queue().batch("race " + b)
				.addAll(IntStream.range(0, size).mapToObj((i) -> JobRequest.of("member", i)).toList())
				.onComplete("callback", b)
				.enqueue()
				.id());
		}
		JdbcJobQueue other = this.fixture.otherNode();
		for (JdbcJobQueue node : List.of(this.fixture.queue(), other)) {
			this.fixture.start(this.fixture.worker(node)
				.handler("member", Integer.class, (n, ctx) -> {
				})
				.handler("callback", Integer.class, (b, ctx) -> callbackRuns
					.computeIfAbsent(ctx.batch().orElseThrow().id(), (k) -> new AtomicInteger()).incrementAndGet()));
		}

		await().atMost(QueueFixture.PATIENCE).until(() -> callbackRuns.size() == batches.size()
				&& this.fixture.queue().count(null, JobState.READY) == 0
				&& this.fixture.queue().count(null, JobState.RUNNING) == 0);
		assertThat(callbackRuns.values()).extracting(AtomicInteger::get).containsOnly(1);
		assertThat(this.fixture.queue().count(null, JobState.WAITING)).isZero();
	}

}
