package io.sqlqueue.worker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobInterceptor.ProcessChain;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.dialect.JobRef;
import io.sqlqueue.dialect.LeaseStatus;

/**
 * Works one queue on this node: a fetch thread claims due jobs in one statement, as many as there
 * are free handler slots plus a prefetch sized to what the handlers get through while a claim is
 * on its way (whole batches for fast handlers with a backlog), handler threads run them, and the
 * outcome of each run is recorded with one guarded statement (successes in batches through the
 * {@link Completer}).
 */
final class QueueWorker {

	private static final Logger logger = LoggerFactory.getLogger(QueueWorker.class);

	private static final int MAX_ERROR_LENGTH = 4000;

	private final String name;

	private final QueueSettings settings;

	private final JobWorker parent;

	/**
	 * How long the prefetched jobs should keep the handlers busy: long enough to hide a claim's round
	 * trip and the fetch thread's scheduling on a loaded machine, short enough that a node does not
	 * hoard work other nodes could run. Slow handlers get no prefetch at all.
	 */
	private static final long PREFETCH_HORIZON_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	/** Claimed jobs not yet finished on this node: running or waiting for a handler thread. */
	private final AtomicInteger claimed = new AtomicInteger();

	/** Runs finished since the fetch thread last measured the handlers' pace. */
	private final AtomicInteger finished = new AtomicInteger();

	/** Fewer claimed jobs than this, and the fetch thread claims more while there is a backlog. */
	private volatile int refillBelow;

	/** The handlers' recent pace in jobs per nanosecond, smoothed. */
	private double finishRate;

	private long rateSampledAt = System.nanoTime();

	private final ThreadPoolExecutor executor;

	/** The longest pause between claims that fail, unless the poll interval is longer. */
	private static final long MAX_FAILURE_PAUSE_MILLIS = 5_000;

	// keyed by run, not by job: a job whose lease this node lost can be claimed again by this node
	// while its first run still hangs, and each run must keep its own lease and outcome
	private final Map<JobRef, RunningJob> running = new ConcurrentHashMap<>();

	private final Object signal = new Object();

	private boolean woken;

	private volatile boolean backlog;

	private volatile boolean stopping;

	private final Thread fetcher;

	QueueWorker(String name, QueueSettings settings, JobWorker parent) {
		this.name = name;
		this.settings = settings;
		this.parent = parent;
		this.refillBelow = settings.concurrency();
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), (runnable) -> {
					Thread thread = new Thread(runnable, "sqlqueue-" + name + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		this.fetcher = new Thread(this::fetchLoop, "sqlqueue-" + name + "-fetch");
		this.fetcher.setDaemon(true);
	}

	String name() {
		return this.name;
	}

	QueueSettings settings() {
		return this.settings;
	}

	PayloadCodec codec() {
		return this.parent.queue().codec();
	}

	/** Handlers running now. */
	int busy() {
		return Math.max(0, Math.min(this.settings.concurrency(), this.claimed.get() - this.executor.getQueue().size()));
	}

	void start() {
		if (this.settings.fifo()) {
			this.parent.dialect().queueLockEnsure(this.name);
		}
		this.fetcher.start();
	}

	/** Claims at once instead of at the next poll. */
	void wake() {
		synchronized (this.signal) {
			this.woken = true;
			this.signal.notifyAll();
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

	// ---- fetching ----------------------------------------------------------------------

	private void fetchLoop() {
		int failures = 0;
		while (!this.stopping) {
			try {
				int prefetch = prefetch();
				int concurrency = this.settings.concurrency();
				int batchSize = this.settings.batchSize();
				// fast handlers and a deep backlog: claim whole batches, the next one on its way while
				// the handlers work through the last, since the fetch thread's round trips are the limit
				boolean wholeBatches = this.backlog && prefetch >= batchSize / 2;
				this.refillBelow = wholeBatches ? concurrency + batchSize : concurrency + prefetch / 2;
				int held = this.claimed.get();
				if (held >= this.refillBelow) {
					await(this.settings.pollInterval());
					continue;
				}
				int want = wholeBatches ? batchSize : Math.min(concurrency + prefetch - held, batchSize);
				List<Job> jobs;
				try {
					jobs = this.settings.fifo()
							? this.parent.dialect()
								.jobClaimFifo(this.name, want, this.settings.lease(), this.parent.workerId())
							: this.parent.dialect()
								.jobClaim(this.name, want, this.settings.lease(), this.parent.workerId());
					this.parent.tracker().success();
					failures = 0;
				}
				catch (RuntimeException ex) {
					if (this.stopping) {
						break;
					}
					failures++;
					this.parent.tracker().failure(ex);
					if (failures == 1 || failures % 30 == 0) {
						logger.warn("sqlqueue worker for queue '{}' cannot claim jobs ({} failures in a row): {}",
								this.name, failures, ex.getMessage());
					}
					// back off, but not so far that a worker is slow to notice the database is back
					long poll = this.settings.pollInterval().toMillis();
					long pause = Math.min(Math.max(MAX_FAILURE_PAUSE_MILLIS, poll), poll * (1L << Math.min(failures, 5)));
					await(Duration.ofMillis(pause));
					continue;
				}
				this.claimed.addAndGet(jobs.size());
				for (Job job : jobs) {
					RunningJob run = new RunningJob(job, this, this.settings.lease().toMillis());
					this.running.put(run.ref, run);
					try {
						this.executor.execute(() -> execute(run));
					}
					catch (RejectedExecutionException ex) {
						// stop() shut the pool while this claim was under way: hand the job back now
						// rather than leave it RUNNING until its lease expires
						this.running.remove(run.ref);
						this.claimed.decrementAndGet();
						release(run, "Released unstarted by a worker shutting down");
					}
				}
				this.backlog = jobs.size() == want;
				if (!this.backlog) {
					await(this.settings.pollInterval());
				}
			}
			catch (InterruptedException ex) {
				if (this.stopping) {
					break;
				}
			}
			catch (RuntimeException ex) {
				logger.error("sqlqueue worker for queue '{}' hit an unexpected error; it carries on", this.name, ex);
			}
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

	// ---- running -----------------------------------------------------------------------

	private void execute(RunningJob run) {
		run.started = true;
		run.thread = Thread.currentThread();
		Job job = run.job;
		Duration waited = Duration.between(job.runAt(),
				job.lockedUntil().minus(this.settings.lease()));
		this.parent.queue().events().jobStarted(job, waited.isNegative() ? Duration.ZERO : waited);
		long start = System.nanoTime();
		Throwable error = null;
		try {
			invokeHandler(run);
		}
		catch (Throwable ex) {
			error = ex;
		}
		finally {
			run.thread = null;
			if (!this.stopping) {
				// a handler that interrupted itself must not poison the pool thread
				Thread.interrupted();
			}
		}
		Duration execution = Duration.ofNanos(System.nanoTime() - start);
		try {
			record(run, error, execution);
		}
		catch (RuntimeException ex) {
			logger.error("sqlqueue could not record the outcome of {}: {}. Its lease will expire and it will run again.",
					run, ex.getMessage());
			this.running.remove(run.ref);
		}
		finally {
			this.finished.incrementAndGet();
			if (this.claimed.decrementAndGet() < this.refillBelow && this.backlog) {
				wake();
			}
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void invokeHandler(RunningJob run) throws Exception {
		Job job = run.job;
		HandlerSpec spec = this.parent.handler(job.type());
		if (spec == null) {
			throw new UnknownJobTypeException("No handler is registered for job type '" + job.type() + "' on queue '"
					+ this.name + "' (this worker handles " + this.parent.handledTypes() + ")");
		}
		Object payload;
		try {
			payload = codec().decode(job.payload(), spec.payloadType());
		}
		catch (PayloadCodecException ex) {
			throw new PayloadCodecException("Payload of job type '" + job.type() + "' cannot be bound to "
					+ spec.payloadType().getTypeName() + ": " + ex.getMessage(), ex);
		}
		ProcessChain chain = () -> spec.handler().handle(payload, run);
		List<JobInterceptor> interceptors = this.parent.queue().interceptors();
		for (int i = interceptors.size() - 1; i >= 0; i--) {
			JobInterceptor interceptor = interceptors.get(i);
			ProcessChain next = chain;
			chain = () -> interceptor.aroundProcess(run, payload, next);
		}
		chain.proceed();
	}

	private void record(RunningJob run, Throwable error, Duration execution) {
		if (run.abandoned) {
			return;
		}
		if (error == null) {
			run.executionNanos = execution.toNanos();
			this.parent.completer().submit(run, this);
			return;
		}
		Job job = run.job;
		// an InterruptedException alone would not tell the user that the lease was the cause
		String reason = run.leaseLost ? "The handler ran past its lease of " + run.leaseMillis
				+ " ms without a heartbeat and was interrupted: " + describe(error) : describe(error);
		Outcome outcome;
		boolean applied;
		if (error instanceof NonRetryableJobException || error instanceof PayloadCodecException
				|| error instanceof UnknownJobTypeException) {
			outcome = Outcome.DEAD;
			applied = this.parent.retry()
				.call(() -> this.parent.dialect().jobSetDeadIfRunning(run.ref, reason, run.logsJson()));
		}
		else if (run.cancelRequested) {
			outcome = Outcome.CANCELLED;
			applied = this.parent.retry()
				.call(() -> this.parent.dialect().jobSetCancelledIfRunning(run.ref, "Cancelled: " + reason,
						run.logsJson()));
		}
		else if (job.isLastAttempt()) {
			outcome = Outcome.DEAD;
			String dead = job.outOfAttempts(reason);
			applied = this.parent.retry()
				.call(() -> this.parent.dialect().jobSetDeadIfRunning(run.ref, dead, run.logsJson()));
		}
		else {
			outcome = Outcome.RETRIED;
			Duration delay = backoffFor(job).delayAfter(job.attempt());
			applied = this.parent.retry()
				.call(() -> this.parent.dialect().jobSetRetryIfRunning(run.ref, delay, reason, run.logsJson()));
		}
		this.parent.tracker().success();
		this.running.remove(run.ref);
		wakeIfFifo();
		if (applied) {
			if (outcome == Outcome.DEAD) {
				logger.warn("sqlqueue job {} ({}) is dead: {}", job.id(), job.type(), firstLine(reason));
			}
			this.parent.queue().events().jobFinished(job, outcome, execution, error);
		}
		else {
			stale(run);
		}
	}

	/** Called by the completer once a success was written, or found fenced off. */
	void recorded(RunningJob run, boolean applied) {
		this.running.remove(run.ref);
		wakeIfFifo();
		if (applied) {
			this.parent.queue()
				.events()
				.jobFinished(run.job, Outcome.SUCCEEDED, Duration.ofNanos(run.executionNanos), null);
		}
		else {
			stale(run);
		}
	}

	/**
	 * Called by the completer when a run succeeded but its follow-up jobs cannot be enqueued (the
	 * queue refuses them): the run is dead-lettered with the reason, since running it again would
	 * only repeat its work and the refusal.
	 */
	void followUpsRefused(RunningJob run, RuntimeException refusal) {
		NonRetryableJobException error = new NonRetryableJobException(
				"The handler succeeded but its follow-up jobs could not be enqueued: " + refusal.getMessage(), refusal);
		try {
			record(run, error, Duration.ofNanos(run.executionNanos));
		}
		catch (RuntimeException ex) {
			logger.error("sqlqueue could not dead-letter {}: {}. Its lease will expire and it will run again.", run,
					ex.getMessage());
			this.running.remove(run.ref);
		}
	}

	/** On a FIFO queue the next job of a key becomes claimable only once this one is recorded. */
	private void wakeIfFifo() {
		if (this.settings.fifo()) {
			wake();
		}
	}

	private void stale(RunningJob run) {
		logger.warn("sqlqueue ignored the outcome of {}: its lease was lost and another run may own it", run);
		this.parent.queue().events().staleOutcomeIgnored(run.job.id(), run.job.attempt());
	}

	/** The job's own backoff, else its handler's, else its queue's. */
	private Backoff backoffFor(Job job) {
		String own = job.metadata().get(Backoff.METADATA_KEY);
		if (own != null) {
			try {
				return Backoff.fromMetadataValue(own);
			}
			catch (IllegalArgumentException ex) {
				logger.warn("sqlqueue job {} has an unreadable backoff in its metadata, using its handler's: {}",
						job.id(), ex.getMessage());
			}
		}
		HandlerSpec<?> spec = this.parent.handler(job.type());
		return (spec != null && spec.backoff() != null) ? spec.backoff() : this.settings.backoff();
	}

	static String describe(Throwable error) {
		StringWriter trace = new StringWriter();
		error.printStackTrace(new PrintWriter(trace));
		String text = trace.toString();
		return (text.length() > MAX_ERROR_LENGTH) ? text.substring(0, MAX_ERROR_LENGTH) + "…" : text;
	}

	private static String firstLine(String text) {
		int newline = text.indexOf('\n');
		return (newline > 0) ? text.substring(0, newline).trim() : text;
	}

	// ---- leases ------------------------------------------------------------------------

	/**
	 * The heartbeat tick: extends, in one statement, the leases of runs whose handler asked for it
	 * and of runs waiting for their outcome to be written; marks the rest lost once their lease has
	 * passed, interrupting their handler.
	 */
	void heartbeat() {
		List<RunningJob> renew = new ArrayList<>();
		for (RunningJob run : this.running.values()) {
			if (run.heartbeatRequested || run.thread == null) {
				run.heartbeatRequested = false;
				renew.add(run);
			}
			else if (!run.leaseLost && run.millisSinceRenewal() > run.leaseMillis) {
				run.leaseLost = true;
				Thread thread = run.thread;
				logger.warn("sqlqueue {} ran past its lease of {} ms without a heartbeat: interrupting it; the job will"
						+ " be retried", run, run.leaseMillis);
				if (thread != null) {
					thread.interrupt();
				}
			}
		}
		if (!renew.isEmpty()) {
			extend(renew, this.settings.lease());
		}
	}

	boolean extendLeaseNow(RunningJob run, Duration lease) {
		extend(List.of(run), lease);
		return !run.leaseLost;
	}

	private void extend(List<RunningJob> runs, Duration lease) {
		long now = System.nanoTime();
		List<LeaseStatus> owned;
		try {
			owned = this.parent.retry()
				.call(() -> this.parent.dialect().jobExtendLeases(runs.stream().map((r) -> r.ref).toList(), lease));
			this.parent.tracker().success();
		}
		catch (RuntimeException ex) {
			this.parent.tracker().failure(ex);
			logger.warn("sqlqueue could not extend the leases of {} runs: {}", runs.size(), ex.getMessage());
			return;
		}
		Map<JobRef, Boolean> byRun = new HashMap<>();
		for (LeaseStatus status : owned) {
			byRun.put(status.ref(), status.cancelRequested());
		}
		for (RunningJob run : runs) {
			Boolean cancel = byRun.get(run.ref);
			if (cancel == null) {
				if (this.running.containsKey(run.ref)) {
					run.leaseLost = true;
				}
			}
			else {
				run.leaseRenewedAt = now;
				run.leaseMillis = lease.toMillis();
				run.cancelRequested = cancel;
			}
		}
	}

	// ---- stopping ----------------------------------------------------------------------

	/** Stops claiming; running handlers go on. */
	void stopClaiming() {
		this.stopping = true;
		wake();
		this.executor.shutdown();
	}

	/** Waits for running handlers until {@code deadlineNanos}. @return whether all finished */
	boolean awaitHandlers(long deadlineNanos) throws InterruptedException {
		this.fetcher.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
		return this.executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
	}

	/**
	 * Gives back runs still going after the shutdown timeout: interrupts their handlers and makes
	 * the jobs READY so that another node picks them up at once.
	 * @return how many were given back
	 */
	int releaseRemaining() {
		List<RunningJob> unfinished = new ArrayList<>();
		for (RunningJob run : this.running.values()) {
			if (run.thread != null || !run.started) {
				// before the interrupt: the exception it causes must not be recorded as a failed attempt;
				// a prefetched run that no handler took yet is given back as well
				run.abandoned = true;
				unfinished.add(run);
			}
		}
		this.executor.shutdownNow();
		int released = 0;
		for (RunningJob run : unfinished) {
			if (release(run, "Released unfinished by a worker shutting down")) {
				released++;
			}
			this.running.remove(run.ref);
		}
		return released;
	}

	private boolean release(RunningJob run, String reason) {
		try {
			return this.parent.dialect().jobReleaseIfRunning(run.ref, reason);
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not release {} at shutdown ({}); its lease will expire", run, ex.getMessage());
			return false;
		}
	}

	/** Whether it still has runs going or waiting for their outcome to be recorded. */
	int inFlight() {
		return this.running.size();
	}

	ExecutorService executor() {
		return this.executor;
	}

}
