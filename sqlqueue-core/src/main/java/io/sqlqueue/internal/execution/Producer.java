package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.Job;
import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.internal.store.LimitedClaim;
import io.sqlqueue.worker.QueueSettings;

/**
 * Claims due jobs of one queue in one statement: as many as there are free handler slots plus a prefetch
 * sized to what the handlers get through while a claim is on its way (whole batches for fast handlers with a
 * backlog), never more than the completer has room for. It waits for its poll interval, or a wake-up, when
 * the queue has nothing due or the handlers are full, and backs off while the database fails.
 */
final class Producer {

	private static final Logger logger = LoggerFactory.getLogger(Producer.class);

	/**
	 * How long the prefetched jobs should keep the handlers busy: long enough to hide a claim's round trip and
	 * the fetch thread's scheduling on a loaded machine, short enough that a node does not hoard work other
	 * nodes could run. Slow handlers get no prefetch at all.
	 */
	private static final long PREFETCH_HORIZON_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	/** The pause between claims held back by a rate limit, unless the poll interval is shorter. */
	private static final long RATE_LIMITED_PAUSE_MILLIS = 100;

	/** The longest pause between claims that fail, unless the poll interval is longer. */
	private static final long MAX_FAILURE_PAUSE_MILLIS = 5_000;

	private final QueueRunner queue;

	private final QueueSettings settings;

	/** Claimed jobs not yet finished on this node: running or waiting for a handler thread. */
	private final AtomicInteger claimed = new AtomicInteger();

	/** Runs finished since the pace was last measured. */
	private final AtomicInteger finished = new AtomicInteger();

	/** Fewer claimed jobs than this, and more are claimed while there is a backlog. */
	private volatile int refillBelow;

	/** The handlers' recent pace in jobs per nanosecond, smoothed. */
	private double finishRate;

	private long rateSampledAt = System.nanoTime();

	private final Object signal = new Object();

	private boolean woken;

	private volatile boolean backlog;

	/** The limit of the queue that held the last claim back, or {@code null}. */
	private volatile String heldBackBy;

	private volatile boolean stopping;

	private final Thread thread;

	/** The queue's limits as last read, refreshed once per poll interval; none until read. */
	private QueueLimits limits = QueueLimits.none();

	/** Whether the queue had limits when they were last read. */
	private volatile boolean limited;

	/** When the limits were last read (System.nanoTime), or 0 before the first read. */
	private long limitsReadAt;

	/** Where the claims start, on PostgreSQL, while a held snapshot makes claims from the front slow. */
	private final ClaimCursor cursor = new ClaimCursor();

	Producer(QueueRunner queue) {
		this.queue = queue;
		this.settings = queue.settings();
		this.refillBelow = this.settings.concurrency();
		this.thread = new Thread(this::fetchLoop, "sqlqueue-" + queue.name() + "-fetch");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	/** Claims at once instead of at the next poll. */
	void wake() {
		synchronized (this.signal) {
			this.woken = true;
			this.signal.notifyAll();
		}
	}

	void stop() {
		this.stopping = true;
		wake();
	}

	void join(long deadlineNanos) throws InterruptedException {
		this.thread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
	}

	/** Jobs claimed and not yet finished. */
	int claimed() {
		return this.claimed.get();
	}

	/** Called by the executor each time a run has ended and its outcome is handed over. */
	void runEnded() {
		this.finished.incrementAndGet();
		// a limit held back by concurrency counts the job RUNNING until its outcome is written: slotFreed wakes then
		if (this.claimed.decrementAndGet() < this.refillBelow && this.backlog) {
			wake();
		}
	}

	/**
	 * Called once a run's outcome is written, so its job no longer counts as RUNNING: a claim held back by a
	 * concurrency limit may now take its place, at once rather than at the next poll.
	 */
	void slotFreed() {
		// whether or not the last claim was held back: one under way may have counted the job as RUNNING still
		if (this.limited) {
			wake();
		}
	}

	private void await(Duration timeout) throws InterruptedException {
		synchronized (this.signal) {
			if (!this.woken && !this.stopping) {
				this.signal.wait(Math.max(1, timeout.toMillis()));
			}
			this.woken = false;
		}
	}

	private void fetchLoop() {
		int failures = 0;
		while (!this.stopping) {
			try {
				int want = want();
				if (want <= 0) {
					await(this.settings.pollInterval());
					continue;
				}
				List<Job> jobs;
				try {
					jobs = claim(want);
					this.queue.node().health().success();
					failures = 0;
				}
				catch (RuntimeException ex) {
					if (this.stopping) {
						break;
					}
					failures++;
					this.queue.node().health().failure(ex);
					if (failures == 1 || failures % 30 == 0) {
						logger.warn("sqlqueue worker for queue '{}' cannot claim jobs ({} failures in a row): {}",
								this.queue.name(), failures, HealthTracker.describe(ex));
					}
					// back off, but not so far that a worker is slow to notice the database is back
					long poll = this.settings.pollInterval().toMillis();
					await(Duration.ofMillis(Math.min(Math.max(MAX_FAILURE_PAUSE_MILLIS, poll), poll * (1L << Math.min(failures, 5)))));
					continue;
				}
				this.claimed.addAndGet(jobs.size());
				for (Job job : jobs) {
					this.queue.executor().start(job);
				}
				this.backlog = jobs.size() == want;
				if (!this.backlog) {
					await(pause());
				}
			}
			catch (InterruptedException ex) {
				if (this.stopping) {
					break;
				}
			}
			catch (RuntimeException ex) {
				logger.error("sqlqueue worker for queue '{}' hit an unexpected error; it carries on", this.queue.name(), ex);
			}
		}
	}

	/**
	 * How many jobs to claim now: the free handler slots plus the prefetch, or whole batches for fast handlers
	 * with a deep backlog (the next one on its way while the handlers work through the last, since the fetch
	 * thread's round trips are then the limit); no more than the completer has room for, so that outcomes
	 * waiting to be written slow claiming down; zero while enough are held.
	 */
	private int want() {
		int prefetch = prefetch();
		int concurrency = this.settings.concurrency();
		int batchSize = this.settings.batchSize();
		boolean wholeBatches = this.backlog && prefetch >= batchSize / 2;
		this.refillBelow = wholeBatches ? concurrency + batchSize : concurrency + prefetch / 2;
		int held = this.claimed.get();
		if (held >= this.refillBelow || this.queue.node().handledTypes().isEmpty()) {
			return 0;
		}
		int want = wholeBatches ? batchSize : Math.min(concurrency + prefetch - held, batchSize);
		return Math.min(want, this.queue.node().completer().room());
	}

	/** Claims up to {@code want} due jobs now, on the calling thread, under the queue's limits and pause. */
	List<Job> claimNow(int want) {
		return claim(want);
	}

	private List<Job> claim(int want) {
		WorkerNode node = this.queue.node();
		refreshLimits();
		this.heldBackBy = null;
		// only the types this node has handlers for: during a rolling deploy, a new type's jobs wait for the nodes
		// that know it instead of dying for want of a handler here
		ClaimParams params = new ClaimParams(this.queue.name(), want, this.settings.lease(), node.workerId(),
				node.handledTypes());
		if (this.settings.fifo()) {
			return node.store().jobGetAvailableFifo(params);
		}
		if (!this.limits.any()) {
			return node.store().vendor().needsVacuum() ? this.cursor.claim(params, node.store()::jobGetAvailable)
					: node.store().jobGetAvailable(params);
		}
		LimitedClaim claim = node.store().jobGetAvailableLimited(params, this.settings.concurrency());
		this.heldBackBy = claim.limitedBy();
		if (claim.limitedBy() != null && claim.heldBack() > 0) {
			node.services().events().jobsHeldBack(this.queue.name(), claim.limitedBy(), claim.heldBack());
		}
		return claim.jobs();
	}

	/**
	 * How long to wait before the next claim when the last took fewer than asked: the poll interval, or a tenth
	 * of a second under a rate limit, whose window frees starts as time passes rather than as jobs end.
	 */
	private Duration pause() {
		Duration poll = this.settings.pollInterval();
		return ("rate".equals(this.heldBackBy) && poll.toMillis() > RATE_LIMITED_PAUSE_MILLIS)
				? Duration.ofMillis(RATE_LIMITED_PAUSE_MILLIS) : poll;
	}

	/**
	 * Reads the queue's limits when the last read is a poll interval old: a limit set or changed at run time is
	 * held to by every node from its next poll. Whether the queue is paused is read by every claim itself.
	 */
	private void refreshLimits() {
		long now = System.nanoTime();
		if (this.limitsReadAt == 0 || now - this.limitsReadAt >= this.settings.pollInterval().toNanos()) {
			this.limits = this.queue.node().store().queueControlGet(this.queue.name()).map(QueueControl::limits)
				.orElse(QueueLimits.none());
			this.limited = this.limits.any();
			this.limitsReadAt = now;
		}
	}

	/**
	 * Jobs to claim beyond the free handler slots: what the handlers finish within
	 * {@link #PREFETCH_HORIZON_NANOS} at their recent pace, at most a claim batch.
	 */
	private int prefetch() {
		long now = System.nanoTime();
		long elapsed = now - this.rateSampledAt;
		if (elapsed >= TimeUnit.MILLISECONDS.toNanos(5)) {
			double rate = this.finished.getAndSet(0) / (double) elapsed;
			this.finishRate = (this.finishRate == 0) ? rate : 0.7 * this.finishRate + 0.3 * rate;
			this.rateSampledAt = now;
		}
		return (int) Math.min(this.settings.batchSize(), this.finishRate * PREFETCH_HORIZON_NANOS);
	}

}
