package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobHandlerFunction;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.internal.store.StateChange;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * FIFO queues (seed goqueue's {@code WithFIFO}): one job at a time per queue or ordering key, in
 * enqueue order, across two workers (two nodes), with a retrying job holding back those behind it.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class FifoQueueTests {

	private static final QueueSettings FIFO = QueueFixture.FAST.withFifo(true).withConcurrency(4);

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger mostActive = new AtomicInteger();

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void aFifoQueueRunsOneJobAtATimeInEnqueueOrderAcrossTwoWorkers() {
		this.fixture = QueueFixture.fresh(this.db);
		List<Integer> order = new CopyOnWriteArrayList<>();
		Map<String, AtomicInteger> runsPerWorker = new ConcurrentHashMap<>();
		List<Long> ids = IntStream.range(0, 20)
			.mapToObj((i) -> this.fixture.queue().enqueue("step", i, EnqueueOptions.defaults().withQueue("fifo")))
			.toList();

		startTwoWorkers((JobHandlerFunction<Integer>) (step, ctx) -> exclusively(() -> order.add(step)),
				runsPerWorker);

		ids.forEach((id) -> this.fixture.awaitState(id, JobState.SUCCEEDED));
		assertThat(order).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
		assertThat(this.mostActive.get()).isEqualTo(1);
		assertThat(runsPerWorker.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(20);
	}

	@Test
	void aRetryingJobHoldsBackTheJobsBehindIt() {
		this.fixture = QueueFixture.fresh(this.db);
		List<String> runs = new CopyOnWriteArrayList<>();
		List<Long> ids = IntStream.range(0, 4)
			.mapToObj((i) -> this.fixture.queue().enqueue("step", i, EnqueueOptions.defaults().withQueue("fifo")))
			.toList();

		startTwoWorkers((JobHandlerFunction<Integer>) (step, ctx) -> exclusively(() -> {
			runs.add(step + "#" + ctx.attempt());
			if (step == 1 && ctx.attempt() < 3) {
				throw new IllegalStateException("step 1 fails twice");
			}
		}), new ConcurrentHashMap<>());

		ids.forEach((id) -> this.fixture.awaitState(id, JobState.SUCCEEDED));
		assertThat(runs).containsExactly("0#1", "1#1", "1#2", "1#3", "2#1", "3#1");
		assertThat(this.mostActive.get()).isEqualTo(1);
	}

	@Test
	void aDeadJobNoLongerHoldsBackTheJobsBehindIt() {
		this.fixture = QueueFixture.fresh(this.db);
		List<Integer> succeeded = new CopyOnWriteArrayList<>();
		List<Long> ids = IntStream.range(0, 3)
			.mapToObj((i) -> this.fixture.queue().enqueue("step", i, EnqueueOptions.defaults().withQueue("fifo")))
			.toList();

		startTwoWorkers((JobHandlerFunction<Integer>) (step, ctx) -> {
			if (step == 0) {
				throw new NonRetryableJobException("step 0 cannot be done");
			}
			exclusively(() -> succeeded.add(step));
		}, new ConcurrentHashMap<>());

		this.fixture.awaitState(ids.get(0), JobState.DEAD);
		this.fixture.awaitState(ids.get(2), JobState.SUCCEEDED);
		assertThat(succeeded).containsExactly(1, 2);
	}

	@Test
	void orderingKeysRunInParallelWhileEachKeyKeepsItsOrder() throws Exception {
		this.fixture = QueueFixture.fresh(this.db);
		Map<String, List<Integer>> orderPerKey = new ConcurrentHashMap<>();
		Map<String, AtomicInteger> activePerKey = new ConcurrentHashMap<>();
		Map<String, AtomicInteger> mostActivePerKey = new ConcurrentHashMap<>();
		CountDownLatch firstOfEachKeyStarted = new CountDownLatch(2);
		List<Long> ids = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 5; i++) {
			for (String key : List.of("customer-a", "customer-b")) {
				ids.add(this.fixture.queue().enqueue("step", i,
						EnqueueOptions.defaults().withQueue("fifo").withOrderingKey(key)));
			}
		}
		AtomicInteger overlapped = new AtomicInteger();

		startTwoWorkers((JobHandlerFunction<Integer>) (step, ctx) -> {
			String key = this.fixture.job(ctx.id()).orderingKey();
			int now = activePerKey.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
			mostActivePerKey.computeIfAbsent(key, (k) -> new AtomicInteger()).accumulateAndGet(now, Math::max);
			try {
				if (step == 0) {
					// both keys' first jobs must be running at once, or this waits in vain
					firstOfEachKeyStarted.countDown();
					if (firstOfEachKeyStarted.await(20, TimeUnit.SECONDS)) {
						overlapped.incrementAndGet();
					}
				}
				orderPerKey.computeIfAbsent(key, (k) -> new CopyOnWriteArrayList<>()).add(step);
			}
			finally {
				activePerKey.get(key).decrementAndGet();
			}
		}, new ConcurrentHashMap<>());

		ids.forEach((id) -> this.fixture.awaitState(id, JobState.SUCCEEDED));
		assertThat(overlapped.get()).isEqualTo(2);
		assertThat(orderPerKey.get("customer-a")).containsExactly(0, 1, 2, 3, 4);
		assertThat(orderPerKey.get("customer-b")).containsExactly(0, 1, 2, 3, 4);
		assertThat(mostActivePerKey.get("customer-a").get()).isEqualTo(1);
		assertThat(mostActivePerKey.get("customer-b").get()).isEqualTo(1);
	}

	@Test
	void aFifoClaimTakesTheOldestJobOfEachKeyAndNoneOfAKeyWithAJobRunning() {
		this.fixture = QueueFixture.fresh(this.db);
		JdbcJobQueue queue = this.fixture.queue();
		JobStore store = Internals.store(queue);
		store.queueLockEnsure("fifo");
		EnqueueOptions fifo = EnqueueOptions.defaults().withQueue("fifo");
		long parent = queue.enqueue("step", 0, EnqueueOptions.defaults().withQueue("parents"));
		long keyless = queue.enqueue("step", 1, fifo);
		queue.enqueue("step", 2, fifo);
		long a1 = queue.enqueue("step", 1, fifo.withOrderingKey("a"));
		long a2 = queue.enqueue("step", 2, fifo.withOrderingKey("a"));
		queue.enqueue("step", 1, fifo.withOrderingKey("b").withDelay(Duration.ofHours(1)));
		queue.enqueue("step", 2, fifo.withOrderingKey("b"));
		long waitingC1 = queue.enqueue("step", 1, fifo.withOrderingKey("c").withParent(parent));
		long c2 = queue.enqueue("step", 2, fifo.withOrderingKey("c"));

		// the second of b waits behind the first, which is not due; the first of c waits for its parent
		assertThat(claimFifo(store)).extracting(Job::id).containsExactly(keyless, a1, c2);
		assertThat(claimFifo(store)).as("every key's head is running").isEmpty();

		queue.claim("parents", 1, Duration.ofMinutes(1)).get(0).complete();
		assertThat(this.fixture.state(waitingC1)).isEqualTo(JobState.READY);
		assertThat(claimFifo(store)).as("the older job of c waits while a younger one runs").isEmpty();

		succeed(store, a1);
		assertThat(claimFifo(store)).extracting(Job::id).containsExactly(a2);
		succeed(store, c2);
		assertThat(claimFifo(store)).extracting(Job::id).containsExactly(waitingC1);
	}

	private static List<Job> claimFifo(JobStore store) {
		return store.jobGetAvailableFifo(new ClaimParams("fifo", 10, Duration.ofMinutes(1), "test-node"));
	}

	private void succeed(JobStore store, long id) {
		JobRef ref = new JobRef(id, this.fixture.job(id).attempt());
		assertThat(store.jobSetStateIfRunningMany(List.of(StateChange.succeeded(ref, null, null)))).containsExactly(ref);
	}

	/** Two nodes, each with its own queue object and worker, both working the FIFO queue. */
	private void startTwoWorkers(JobHandlerFunction<Integer> handler, Map<String, AtomicInteger> runsPerWorker) {
		for (String node : List.of("node-1", "node-2")) {
			JdbcJobQueue queue = node.equals("node-1") ? this.fixture.queue() : this.fixture.otherNode();
			JobWorker.Builder builder = this.fixture.worker(queue).workerId(node).queue("fifo", FIFO);
			builder.handler(HandlerSpec.of("step", Integer.class, (Integer step, JobContext ctx) -> {
				runsPerWorker.computeIfAbsent(node, (n) -> new AtomicInteger()).incrementAndGet();
				handler.handle(step, ctx);
			}).onQueue("fifo"));
			this.fixture.start(builder);
		}
	}

	/** Runs {@code work}, keeping count of how many handlers run it at once. */
	private void exclusively(Runnable work) throws InterruptedException {
		int now = this.active.incrementAndGet();
		this.mostActive.accumulateAndGet(now, Math::max);
		try {
			Thread.sleep(10);
			work.run();
		}
		finally {
			this.active.decrementAndGet();
		}
	}

}
