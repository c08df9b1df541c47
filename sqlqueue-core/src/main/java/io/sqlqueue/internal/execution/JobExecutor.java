package io.sqlqueue.internal.execution;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobInterceptor.ProcessChain;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.SnoozeJobException;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.internal.store.StateChange;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;

/**
 * Runs the claimed jobs of one queue on its handler threads: binds the payload to the handler's type, runs
 * the handler inside the interceptors, decides what the run ended in (the {@code ExceptionClassifier} says
 * which failures are worth another attempt) and hands that to the completer.
 */
final class JobExecutor {

	private static final Logger logger = LoggerFactory.getLogger(JobExecutor.class);

	/** The most characters of an error kept in the job's {@code last_error}. */
	private static final int MAX_ERROR_LENGTH = 4000;

	/** The most characters of a stack trace kept in the attempt history: the causes of a deep stack fit. */
	private static final int MAX_TRACE_LENGTH = 16_000;

	private final QueueRunner queue;

	private final ThreadPoolExecutor threads;

	JobExecutor(QueueRunner queue) {
		this.queue = queue;
		int concurrency = queue.settings().concurrency();
		AtomicInteger count = new AtomicInteger();
		this.threads = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				(runnable) -> {
					Thread thread = new Thread(runnable, "sqlqueue-" + queue.name() + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
	}

	/** Queues {@code job} for the next free handler thread, or gives it back when the executor is shutting down. */
	void start(Job job) {
		RunningJob run = new RunningJob(job, this.queue, this.queue.settings().lease().toMillis());
		this.queue.running().put(run.ref, run);
		try {
			this.threads.execute(() -> execute(run));
		}
		catch (RejectedExecutionException ex) {
			// stopping while this claim was under way: hand the job back now rather than leave it RUNNING until
			// its lease expires
			this.queue.producer().runEnded();
			this.queue.release(run, "Released unstarted by a worker shutting down");
		}
	}

	/** Handlers running now. */
	int busy() {
		int concurrency = this.queue.settings().concurrency();
		return Math.max(0, Math.min(concurrency, this.queue.producer().claimed() - this.threads.getQueue().size()));
	}

	void shutdown() {
		this.threads.shutdown();
	}

	void shutdownNow() {
		this.threads.shutdownNow();
	}

	boolean awaitTermination(long deadlineNanos) throws InterruptedException {
		return this.threads.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
	}

	private void execute(RunningJob run) {
		Finished finished = runHandler(run);
		try {
			if (!run.abandoned) {
				this.queue.node().completer().submit(finished);
			}
		}
		catch (InterruptedException ex) {
			if (!run.abandoned) {
				logger.error("sqlqueue could not hand over the outcome of {}: interrupted. Its lease will expire and it"
						+ " will run again.", run);
			}
		}
		catch (RuntimeException ex) {
			logger.error("sqlqueue could not hand over the outcome of {}: {}. Its lease will expire and it will run"
					+ " again.", run, ex.getMessage());
		}
		finally {
			this.queue.producer().runEnded();
		}
	}

	/**
	 * Runs {@code job}, claimed by the caller, on the calling thread and writes its outcome before returning: how
	 * a worker that was not started runs jobs when asked. Handler timeouts are not enforced here.
	 */
	Finished runHere(Job job) {
		RunningJob run = new RunningJob(job, this.queue, this.queue.settings().lease().toMillis());
		this.queue.running().put(run.ref, run);
		Finished finished = runHandler(run);
		this.queue.node().completer().writeNow(finished);
		return finished;
	}

	/** Runs the handler of {@code run} on this thread. @return what it ended in */
	private Finished runHandler(RunningJob run) {
		run.started = true;
		run.thread = Thread.currentThread();
		Job job = run.job;
		Duration waited = Duration.between(job.runAt(), job.lockedUntil().minus(this.queue.settings().lease()));
		this.queue.node().services().events().jobStarted(job, waited.isNegative() ? Duration.ZERO : waited);
		long start = System.nanoTime();
		Throwable error = null;
		ScheduledFuture<?> timeout = scheduleTimeout(run);
		try {
			invokeHandler(run);
		}
		catch (Throwable ex) {
			error = ex;
		}
		finally {
			if (timeout != null) {
				timeout.cancel(false);
			}
			run.thread = null;
			// a handler that interrupted itself must not poison the pool thread
			Thread.interrupted();
		}
		return outcome(run, error, Duration.ofNanos(System.nanoTime() - start));
	}

	/** Interrupts the run's handler once it ran past its handler's timeout, if it has one. */
	private ScheduledFuture<?> scheduleTimeout(RunningJob run) {
		HandlerSpec<?> spec = this.queue.node().handler(run.job.type());
		if (spec == null || spec.timeout() == null || !this.queue.node().started()) {
			return null;
		}
		Thread handler = Thread.currentThread();
		return this.queue.node().schedule(() -> {
			if (run.thread == handler) {
				run.timedOut = true;
				logger.warn("sqlqueue {} ran past its timeout of {}: interrupting it", run, spec.timeout());
				handler.interrupt();
			}
		}, spec.timeout());
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void invokeHandler(RunningJob run) throws Exception {
		Job job = run.job;
		WorkerNode node = this.queue.node();
		HandlerSpec spec = node.handler(job.type());
		if (spec == null) {
			throw new UnknownJobTypeException("No handler is registered for job type '" + job.type() + "' on queue '"
					+ this.queue.name() + "' (this worker handles " + node.handledTypes() + ")");
		}
		Object payload;
		try {
			payload = this.queue.codec().decode(job.payload(), spec.payloadType());
		}
		catch (PayloadCodecException ex) {
			throw new PayloadCodecException("Payload of job type '" + job.type() + "' cannot be bound to "
					+ spec.payloadType().getTypeName() + ": " + ex.getMessage(), ex);
		}
		ProcessChain chain = () -> spec.handler().handle(payload, run);
		List<JobInterceptor> interceptors = node.services().interceptors();
		for (int i = interceptors.size() - 1; i >= 0; i--) {
			JobInterceptor interceptor = interceptors.get(i);
			ProcessChain next = chain;
			chain = () -> interceptor.aroundProcess(run, payload, next);
		}
		chain.proceed();
	}

	/** What the run ended in: success, or a failure that is retried, dead-lettered or ends a cancelled job. */
	private Finished outcome(RunningJob run, Throwable error, Duration execution) {
		long now = this.queue.clock().millis();
		Duration snooze = (error instanceof SnoozeJobException snoozed) ? snoozed.delay()
				: (error == null) ? run.snoozedFor() : null;
		if (snooze != null) {
			return new Finished(run, StateChange.snoozed(run.ref, snooze.toMillis(), run.logsJson()), Outcome.SNOOZED,
					null, execution, List.of(), now);
		}
		if (error == null) {
			return new Finished(run, StateChange.succeeded(run.ref, run.resultJson(), run.logsJson()), Outcome.SUCCEEDED,
					null, execution, run.followUps(), now);
		}
		Job job = run.job;
		// an InterruptedException alone would not tell the user that the lease or the timeout was the cause
		String trace = stackTrace(error);
		String cause = "";
		if (run.timedOut) {
			cause = "The handler ran past its timeout of " + this.queue.node().handler(job.type()).timeout()
					+ " and was interrupted: ";
		}
		else if (run.leaseLost) {
			cause = "The handler ran past its lease of " + run.leaseMillis + " ms without a heartbeat and was interrupted: ";
		}
		String reason = cause + bounded(trace, MAX_ERROR_LENGTH);
		StateChange.Failure failure = new StateChange.Failure(this.queue.node().workerId(),
				bounded(cause + error, MAX_ERROR_LENGTH), trace);
		StateChange change;
		Outcome outcome;
		if (!this.queue.node().classifier().isRetryable(error)) {
			change = StateChange.dead(run.ref, reason, run.logsJson());
			outcome = Outcome.DEAD;
		}
		else if (run.cancelRequested) {
			change = StateChange.cancelled(run.ref, "Cancelled: " + reason, run.logsJson());
			outcome = Outcome.CANCELLED;
		}
		else if (job.isLastAttempt()) {
			change = StateChange.dead(run.ref, job.outOfAttempts(reason), run.logsJson());
			outcome = Outcome.DEAD;
		}
		else {
			change = StateChange.retry(run.ref, backoffFor(job).delayAfter(job.attempt()).toMillis(), reason,
					run.logsJson());
			outcome = Outcome.RETRIED;
		}
		return new Finished(run, change.withFailure(failure), outcome, error, execution, List.of(), now);
	}

	/** The job's own backoff, else its handler's, else its queue's. */
	private Backoff backoffFor(Job job) {
		String own = job.metadata().get(Backoff.METADATA_KEY);
		if (own != null) {
			try {
				return Backoff.fromMetadataValue(own);
			}
			catch (IllegalArgumentException ex) {
				logger.warn("sqlqueue job {} has an unreadable backoff in its metadata, using its handler's: {}", job.id(),
						ex.getMessage());
			}
		}
		HandlerSpec<?> spec = this.queue.node().handler(job.type());
		return (spec != null && spec.backoff() != null) ? spec.backoff() : this.queue.settings().backoff();
	}

	/** The stack trace of {@code error} with its causes, cut at {@link #MAX_TRACE_LENGTH}. */
	static String stackTrace(Throwable error) {
		StringWriter trace = new StringWriter();
		error.printStackTrace(new PrintWriter(trace));
		return bounded(trace.toString(), MAX_TRACE_LENGTH);
	}

	private static String bounded(String text, int length) {
		return (text.length() > length) ? text.substring(0, length) + "…" : text;
	}

}
