package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.internal.Enqueuer;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.internal.store.StateChange;

/**
 * The one writer of every run's outcome on a node (success, retry, dead, cancelled, given back, and the
 * follow-up jobs of a success), in batches off the handler threads: whatever ended while the previous batch
 * was written goes in the next statement. Its backlog is bounded: when it is full, handler threads wait to
 * hand their outcome over (their slot stays taken), and producers claim no more than it has room for, so the
 * work done but not yet recorded on a node stays under {@link #capacity()}. A database outage holds outcomes
 * here and retries them; those whose lease ran out meanwhile are rejected by the fencing guard. What was
 * written, or found fenced off, is published to the {@link Subscriber}: the completer never calls back into
 * the worker's queues. The shape of River's {@code jobcompleter}.
 */
final class Completer {

	private static final Logger logger = LoggerFactory.getLogger(Completer.class);

	/** Outcomes written in one statement at most. */
	static final int MAX_BATCH = 1000;

	/**
	 * While outcomes keep coming, how often at most the batches and workflows whose members ended here are
	 * looked at. Each look is a probe per group after the outcomes' commit; one per flush cost a batch's members
	 * a fifth of their drain rate. A completer with nothing more to write looks at once.
	 */
	static final Duration LOOK_INTERVAL = Duration.ofMillis(20);

	/** Told of each outcome once it is settled. */
	@FunctionalInterface
	interface Subscriber {

		/**
		 * @param applied whether the outcome was written; {@code false} when the run had lost its lease
		 */
		void recorded(Finished finished, boolean applied);

	}

	private final JobStore store;

	private final Enqueuer enqueuer;

	private final DatabaseRetry retry;

	private final HealthTracker health;

	private final InstantSource clock;

	private final Subscriber subscriber;

	private final Duration slowFlush;

	private final BlockingQueue<Finished> pending = new LinkedBlockingQueue<>();

	/**
	 * The batches and workflows some of whose members ended in outcomes this thread wrote and that it has not
	 * looked at since: only the completer's thread touches it.
	 */
	private final Set<Long> groupsToLookAt = new TreeSet<>();

	private long lastLookNanos = System.nanoTime();

	/** One permit per outcome that may be handed over and not yet settled: the backlog's bound. */
	private final Semaphore permits;

	private final int capacity;

	private final Thread thread;

	/** When the oldest run of the batch being written ended, or {@code Long.MAX_VALUE} with none. */
	private volatile long batchOldest = Long.MAX_VALUE;

	private volatile boolean stopping;

	private volatile long deadlineNanos = Long.MAX_VALUE;

	/**
	 * @param capacity the most outcomes waiting to be written
	 * @param slowFlush a batch whose writing takes longer is logged with its statement and time
	 */
	Completer(JobStore store, Enqueuer enqueuer, DatabaseRetry retry, HealthTracker health, InstantSource clock,
			int capacity, Duration slowFlush, Subscriber subscriber) {
		this.store = store;
		this.enqueuer = enqueuer;
		this.retry = retry;
		this.health = health;
		this.clock = clock;
		this.capacity = capacity;
		this.slowFlush = slowFlush;
		this.subscriber = subscriber;
		this.permits = new Semaphore(capacity);
		this.thread = new Thread(this::run, "sqlqueue-completer");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	/**
	 * Hands an outcome over, waiting while the backlog is full.
	 * @throws InterruptedException when interrupted while waiting; the outcome is not taken
	 */
	void submit(Finished finished) throws InterruptedException {
		this.permits.acquire();
		this.pending.add(finished);
	}

	/** The most outcomes that may wait to be written. */
	int capacity() {
		return this.capacity;
	}

	/**
	 * Writes one outcome on the calling thread, for a node that runs jobs when asked rather than on its threads
	 * ({@code JobWorker.drain()}): the same statement, follow-up isolation and publication as a batch.
	 * @throws IllegalStateException when the database does not take it
	 */
	void writeNow(Finished finished) {
		this.permits.acquireUninterruptibly();
		List<Finished> batch = new ArrayList<>(List.of(finished));
		// looked at before it returns: its caller expects what the outcome released to be ready
		if (!flush(batch, null)) {
			this.permits.release();
			throw new IllegalStateException("sqlqueue could not record the outcome of " + finished.run()
					+ ": the database did not take it (see the warning logged)");
		}
	}

	/** Outcomes handed over and not settled yet, the batch being written included. */
	int backlog() {
		return this.capacity - this.permits.availablePermits();
	}

	/** How many more outcomes the backlog takes before handlers have to wait. */
	int room() {
		return this.permits.availablePermits();
	}

	/** How long the oldest outcome not yet written has waited, zero with none. */
	Duration oldestWaiting() {
		long oldest = this.batchOldest;
		Finished head = this.pending.peek();
		if (head != null) {
			oldest = Math.min(oldest, head.endedAt());
		}
		return (oldest == Long.MAX_VALUE) ? Duration.ZERO : Duration.ofMillis(Math.max(0, this.clock.millis() - oldest));
	}

	private void run() {
		List<Finished> batch = new ArrayList<>();
		while (true) {
			try {
				if (batch.isEmpty()) {
					Finished first = this.pending.poll(this.groupsToLookAt.isEmpty() ? 50 : 0, TimeUnit.MILLISECONDS);
					if (first == null) {
						lookAtGroups();
						if (this.stopping) {
							return;
						}
						continue;
					}
					batch.add(first);
				}
				this.pending.drainTo(batch, MAX_BATCH - batch.size());
				this.batchOldest = batch.stream().mapToLong(Finished::endedAt).min().orElse(Long.MAX_VALUE);
				if (flush(batch, this.groupsToLookAt)) {
					batch.clear();
					this.batchOldest = Long.MAX_VALUE;
					if (System.nanoTime() - this.lastLookNanos >= LOOK_INTERVAL.toNanos()) {
						lookAtGroups();
					}
				}
				else if (this.stopping && System.nanoTime() > this.deadlineNanos) {
					logger.error("sqlqueue could not record the outcomes of {} runs before shutdown: the database is"
							+ " unreachable. Their leases will expire and they will run again.",
							batch.size() + this.pending.size());
					lookAtGroups();
					return;
				}
				else {
					Thread.sleep(1000);
				}
			}
			catch (InterruptedException ex) {
				if (this.stopping && this.pending.isEmpty() && batch.isEmpty()) {
					lookAtGroups();
					return;
				}
			}
			catch (RuntimeException ex) {
				// the one thread that writes outcomes must not end: its handlers would wait for room forever
				logger.error("sqlqueue's completer hit an unexpected error with {} outcomes in hand; it carries on",
						batch.size(), ex);
				pauseAfterError();
			}
		}
	}

	private void pauseAfterError() {
		try {
			Thread.sleep(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Looks at the batches and workflows whose members ended in the outcomes written since the last look, now
	 * that those are committed: finishes those with no member left, releasing their callbacks. A failure is
	 * logged by the store, and the maintenance sweep finishes them instead.
	 */
	private void lookAtGroups() {
		this.lastLookNanos = System.nanoTime();
		if (!this.groupsToLookAt.isEmpty()) {
			List<Long> groups = List.copyOf(this.groupsToLookAt);
			this.groupsToLookAt.clear();
			this.store.groups().groupAfterEnded(List.of(), groups, false);
		}
	}

	/**
	 * Writes {@code batch}.
	 * @param groupsToLookAt where to note the batches and workflows whose members ended, for a later look, or
	 * {@code null} to look at them before returning
	 * @return whether every outcome in it is settled; those that are not stay in it
	 */
	private boolean flush(List<Finished> batch, Set<Long> groupsToLookAt) {
		Set<JobRef> done;
		long start = System.nanoTime();
		try {
			done = this.retry.call(() -> write(batch, groupsToLookAt));
			this.health.success();
		}
		catch (RuntimeException ex) {
			if (!DatabaseRetry.isTransient(ex) && hasFollowUps(batch)) {
				return isolateFollowUpFailures(batch, ex, groupsToLookAt);
			}
			this.health.failure(ex);
			logger.warn("sqlqueue could not record the outcomes of {} runs yet: {}", batch.size(), ex.getMessage());
			return false;
		}
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		if (took.compareTo(this.slowFlush) > 0) {
			logger.warn("sqlqueue took {} ms to write the outcomes of {} runs ({}): runs wait for their outcome to be"
					+ " recorded meanwhile, and the workers claim less", took.toMillis(), batch.size(), describe(batch));
		}
		for (Finished finished : batch) {
			try {
				this.subscriber.recorded(finished, done.contains(finished.run().ref));
			}
			finally {
				this.permits.release();
			}
		}
		return true;
	}

	/** The statement a batch took and what it wrote, e.g. {@code jobSetStateIfRunningMany: 998 SUCCEEDED, 2 READY}. */
	private static String describe(List<Finished> batch) {
		Map<JobState, Integer> byState = new EnumMap<>(JobState.class);
		for (Finished finished : batch) {
			byState.merge(finished.change().state(), 1, Integer::sum);
		}
		StringBuilder text = new StringBuilder("jobSetStateIfRunningMany:");
		byState.forEach((state, count) -> text.append(' ').append(count).append(' ').append(state).append(','));
		text.setLength(text.length() - 1);
		return hasFollowUps(batch) ? text + ", with follow-up jobs" : text.toString();
	}

	private Set<JobRef> write(List<Finished> batch, Set<Long> groupsToLookAt) {
		List<StateChange> changes = batch.stream()
			.map((f) -> f.change().inGroup(f.run().job.batchId(), f.run().job.step() != null))
			.toList();
		if (!hasFollowUps(batch)) {
			return this.store.jobSetStateIfRunningMany(changes, groupsToLookAt);
		}
		// follow-up jobs exist if and only if their parent is recorded SUCCEEDED: one transaction
		return this.store.inTransaction(() -> {
			Set<JobRef> done = this.store.jobSetStateIfRunningMany(changes, groupsToLookAt);
			List<JobRequest> requests = new ArrayList<>();
			for (Finished finished : batch) {
				if (done.contains(finished.run().ref)) {
					requests.addAll(finished.followUps());
				}
			}
			if (!requests.isEmpty()) {
				this.enqueuer.enqueue(requests, false);
			}
			return done;
		});
	}

	private static boolean hasFollowUps(List<Finished> batch) {
		return batch.stream().anyMatch((finished) -> !finished.followUps().isEmpty());
	}

	/**
	 * A batch with follow-up jobs failed for a reason retrying will not cure (a follow-up the queue refuses):
	 * writes its runs one by one, and dead-letters each run whose own follow-ups are refused, since running it
	 * again would only repeat its work and the refusal. One bad follow-up holds back no other outcome.
	 */
	private boolean isolateFollowUpFailures(List<Finished> batch, RuntimeException failure, Set<Long> groupsToLookAt) {
		if (batch.size() > 1) {
			batch.removeIf((finished) -> flush(new ArrayList<>(List.of(finished)), groupsToLookAt));
			return batch.isEmpty();
		}
		Finished refused = batch.get(0);
		logger.warn("sqlqueue could not enqueue the follow-up jobs of {}: {}", refused.run(), failure.getMessage());
		String reason = "The handler succeeded but its follow-up jobs could not be enqueued: " + failure.getMessage();
		// in place: should the database fail now, the dead-lettering is what is tried again
		batch.set(0, refused.deadInstead(new NonRetryableJobException(reason, failure), reason));
		return flush(batch, groupsToLookAt);
	}

	/** Writes what is pending, waiting up to {@code timeout}, then stops. */
	void stop(Duration timeout) {
		this.deadlineNanos = System.nanoTime() + timeout.toNanos();
		this.stopping = true;
		try {
			this.thread.join(Math.max(1, timeout.toMillis()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
