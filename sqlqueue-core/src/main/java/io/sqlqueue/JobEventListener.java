package io.sqlqueue;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Told what happened to jobs on this node; the starter's metrics listen here. Called on worker
 * threads: keep it fast and never throw.
 */
public interface JobEventListener {

	/** What a run ended in. */
	enum Outcome {

		/** The job succeeded. */
		SUCCEEDED,
		/** The run failed and the job will be retried. */
		RETRIED,
		/** The job went to the dead letter. */
		DEAD,
		/** The job was cancelled. */
		CANCELLED,
		/** The handler asked for the job to run later, without spending an attempt. */
		SNOOZED

	}

	/**
	 * A job was enqueued: told once its transaction commits (at once outside a Spring-managed transaction), never
	 * for an enqueue rolled back.
	 */
	default void jobEnqueued(String queue, String type) {
	}

	/**
	 * A claimed job is starting.
	 * @param waited from when it became due to its start (database clock)
	 */
	default void jobStarted(Job job, Duration waited) {
	}

	/**
	 * A run ended and its outcome was recorded.
	 * @param error the failure, or {@code null}
	 */
	default void jobFinished(Job job, Outcome outcome, Duration execution, @Nullable Throwable error) {
	}

	/**
	 * A claim on this node took fewer jobs than it had room for because of a limit of the queue.
	 * @param limit {@code global} (global concurrency), {@code key} (per-key concurrency) or {@code rate}
	 * @param jobs how many fewer
	 */
	default void jobsHeldBack(String queue, String limit, int jobs) {
	}

	/**
	 * A run's outcome was not recorded because its lease had been lost: another worker may own the
	 * job now (the fencing token did its work).
	 */
	default void staleOutcomeIgnored(long jobId, int attempt) {
	}

}
