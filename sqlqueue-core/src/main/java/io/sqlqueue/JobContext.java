package io.sqlqueue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * What a running handler knows about its job, and what it may ask of the queue while it runs.
 *
 * <pre>{@code
 * worker.handler("resize", Resize.class, (resize, ctx) -> {
 *     for (Image image : resize.images()) {
 *         if (ctx.isCancellationRequested()) {
 *             return;
 *         }
 *         resizer.resize(image);
 *         ctx.heartbeat();
 *     }
 * });
 * }</pre>
 */
public interface JobContext {

	/** The job's id. */
	long id();

	/** The job type. */
	String type();

	/** The queue the job runs on. */
	String queue();

	/**
	 * This run's attempt number, starting at 1. It is also the fencing token: a worker whose lease
	 * was lost cannot change the job once another run has a higher attempt.
	 */
	int attempt();

	/** Attempts allowed before the job is dead-lettered, {@code -1} for no limit. */
	int maxAttempts();

	/** The metadata given at enqueue. */
	Map<String, String> metadata();

	/**
	 * Extends this run's lease to {@code duration} from now (database clock).
	 * @return {@code false} when the lease was already lost: another worker may now own the job
	 */
	boolean extendLease(Duration duration);

	/**
	 * Extends this run's lease by the queue's lease length and refreshes
	 * {@link #isCancellationRequested()}.
	 * @return {@code false} when the lease was already lost
	 */
	boolean heartbeat();

	/** Whether {@link JobQueue#cancel(long)} was called for this job since it started. */
	boolean isCancellationRequested();

	/**
	 * Whether this run is known to have lost its lease. Its outcome will not be recorded: another
	 * worker may already be running the job.
	 */
	boolean isLeaseLost();

	/**
	 * Appends a line to the job's log, stored with the job and readable through
	 * {@link JobQueue#find(long)}. Lines beyond the configured limit are dropped, oldest first.
	 */
	void log(String line);

	/**
	 * Sets the job's result, stored as JSON with the job when it succeeds.
	 * @param result any value the payload codec can write, or {@code null} to clear it
	 */
	void setResult(@Nullable Object result);

	/**
	 * Enqueues a follow-up job when this one succeeds, in the same transaction that records it
	 * SUCCEEDED: the follow-up exists if and only if this job succeeded.
	 * <pre>{@code
	 * ctx.enqueueOnSuccess("send-receipt", new SendReceipt(order.id()), EnqueueOptions.defaults());
	 * }</pre>
	 * @throws PayloadCodecException when the payload cannot be written as JSON
	 */
	void enqueueOnSuccess(String type, @Nullable Object payload, EnqueueOptions options);

	/**
	 * Says "not now, try again in {@code delay}": when the handler returns, the job goes back to READY, due after
	 * the delay, without spending an attempt (as throwing {@link SnoozeJobException} does). Its outcome is
	 * {@link JobEventListener.Outcome#SNOOZED}; its result and follow-up jobs are dropped.
	 * @throws IllegalArgumentException when {@code delay} is negative
	 */
	void snooze(Duration delay);

	/** Like {@link #enqueueOnSuccess(String, Object, EnqueueOptions)} with default options. */
	default void enqueueOnSuccess(String type, @Nullable Object payload) {
		enqueueOnSuccess(type, payload, EnqueueOptions.defaults());
	}

	/**
	 * The batch or workflow this job is a member or a callback of, as it stands now (read when called); empty for
	 * other jobs.
	 */
	default Optional<JobGroup> group() {
		return Optional.empty();
	}

	/**
	 * The batch this job is a member or a callback of, as it stands now: a callback reads how many members
	 * succeeded, died or were cancelled here.
	 * <pre>{@code
	 * JobGroup batch = ctx.batch().orElseThrow();
	 * report.send(batch.count(JobState.SUCCEEDED) + " of " + batch.total() + " rows imported");
	 * }</pre>
	 */
	default Optional<JobGroup> batch() {
		return group().filter((group) -> group.kind() == JobGroup.Kind.BATCH);
	}

	/** The workflow this job is a step or a callback of, as it stands now, with every step's state. */
	default Optional<JobGroup> workflow() {
		return group().filter((group) -> group.kind() == JobGroup.Kind.WORKFLOW);
	}

	/**
	 * The result that step {@code step}, which this workflow step depends on, set with {@link #setResult(Object)},
	 * bound to {@code type} as payloads are.
	 * <pre>{@code
	 * Photo photo = ctx.dependencyResult("fetch", Photo.class);
	 * }</pre>
	 * @return the result, or {@code null} when the step set none (or, with {@code runAnyway}, did not succeed)
	 * @throws IllegalArgumentException when this job does not depend on a step named {@code step}
	 * @throws PayloadCodecException when the result does not fit {@code type}
	 */
	default <T> @Nullable T dependencyResult(String step, Class<T> type) {
		throw new IllegalArgumentException("Job " + id() + " is not a workflow step: it depends on no step '" + step + "'");
	}

	/**
	 * Adds a job to the batch this job is a member of, at once (fan-out): the batch cannot finish while this job
	 * runs, so its callbacks wait for the new job too.
	 * @return the new job's id
	 * @throws IllegalStateException when this job is not a member of a batch or workflow
	 */
	default long addToBatch(String type, @Nullable Object payload, EnqueueOptions options) {
		throw new IllegalStateException("Job " + id() + " is not a member of a batch");
	}

	/** Like {@link #addToBatch(String, Object, EnqueueOptions)} with default options. */
	default long addToBatch(String type, @Nullable Object payload) {
		return addToBatch(type, payload, EnqueueOptions.defaults());
	}

	/** Like {@link #addToBatch(String, Object, EnqueueOptions)} for many jobs, in one transaction. @return their ids */
	default List<Long> addAllToBatch(List<JobRequest> requests) {
		throw new IllegalStateException("Job " + id() + " is not a member of a batch");
	}

}
