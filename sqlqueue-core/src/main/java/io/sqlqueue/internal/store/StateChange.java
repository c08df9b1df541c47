package io.sqlqueue.internal.store;

import io.sqlqueue.JobState;

/**
 * One run's outcome to write: RUNNING to {@code state}, guarded by the run's id and attempt.
 *
 * @param ref the run
 * @param state SUCCEEDED, READY (a retry, or a run given back), DEAD or CANCELLED
 * @param delayMillis for READY: run again this long after the database's now
 * @param error for READY, DEAD and CANCELLED: the reason kept in {@code last_error}
 * @param result for SUCCEEDED: the result JSON, or {@code null}
 * @param logs the log lines as a JSON array, or {@code null} to keep what is stored
 * @param snooze for READY: the run does not count as an attempt (its job gets one more), and the last error
 * stays as it was
 * @param failure for a failed attempt (READY after a failure, DEAD, CANCELLED by a failure): the row written to the
 * attempt history with the outcome; {@code null} for successes, snoozes and runs given back unfinished
 * @param batchId the batch or workflow its job is a member of, or {@code null}
 * @param step whether its job is a step of a workflow, whose end other steps may wait for
 */
public record StateChange(JobRef ref, JobState state, long delayMillis, String error, String result, String logs,
		boolean snooze, Failure failure, Long batchId, boolean step) {

	/**
	 * A failed attempt as the attempt history keeps it.
	 *
	 * @param node the node (or hand claimer) that ran it
	 * @param message what failed, one line or a few
	 * @param stackTrace the stack trace, bounded in size, or {@code null}
	 */
	public record Failure(String node, String message, String stackTrace) {

		public Failure {
			if (message == null) {
				throw new IllegalArgumentException("A failed attempt has a message");
			}
		}

	}

	public StateChange {
		if (state != JobState.SUCCEEDED && state != JobState.READY && state != JobState.DEAD
				&& state != JobState.CANCELLED) {
			throw new IllegalArgumentException("A run cannot end in " + state);
		}
		if (snooze && state != JobState.READY) {
			throw new IllegalArgumentException("A snoozed run goes back to READY, not " + state);
		}
		if (failure != null && (state == JobState.SUCCEEDED || snooze)) {
			throw new IllegalArgumentException("A run that ends in " + state + " is not a failed attempt");
		}
	}

	/** The same outcome, recorded in the attempt history as {@code failure}. */
	public StateChange withFailure(Failure failure) {
		return new StateChange(this.ref, this.state, this.delayMillis, this.error, this.result, this.logs, this.snooze,
				failure, this.batchId, this.step);
	}

	/** RUNNING to SUCCEEDED. */
	public static StateChange succeeded(JobRef ref, String result, String logs) {
		return new StateChange(ref, JobState.SUCCEEDED, 0, null, result, logs, false, null, null, false);
	}

	/** RUNNING to READY after {@code delayMillis}, keeping {@code error}. */
	public static StateChange retry(JobRef ref, long delayMillis, String error, String logs) {
		return new StateChange(ref, JobState.READY, delayMillis, error, null, logs, false, null, null, false);
	}

	/** RUNNING to DEAD with {@code error}. */
	public static StateChange dead(JobRef ref, String error, String logs) {
		return new StateChange(ref, JobState.DEAD, 0, error, null, logs, false, null, null, false);
	}

	/** RUNNING to CANCELLED with {@code reason}. */
	public static StateChange cancelled(JobRef ref, String reason, String logs) {
		return new StateChange(ref, JobState.CANCELLED, 0, reason, null, logs, false, null, null, false);
	}

	/** RUNNING to READY after {@code delayMillis} without spending an attempt: the handler asked to run later. */
	public static StateChange snoozed(JobRef ref, long delayMillis, String logs) {
		return new StateChange(ref, JobState.READY, delayMillis, null, null, logs, true, null, null, false);
	}

	/**
	 * The same change of a run whose job is a member of batch or workflow {@code batchId} (or of none when
	 * {@code null}), and a step of that workflow when {@code step}.
	 */
	public StateChange inGroup(Long batchId, boolean step) {
		return new StateChange(this.ref, this.state, this.delayMillis, this.error, this.result, this.logs, this.snooze,
				this.failure, batchId, step);
	}

	/** Whether the run ends here: SUCCEEDED, DEAD or CANCELLED. */
	public boolean ends() {
		return this.state != JobState.READY;
	}

}
