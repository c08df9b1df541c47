package io.sqlqueue;

/**
 * The states a job moves through.
 *
 * <pre>
 * WAITING --parent succeeded--> READY --claim--> RUNNING --success--> SUCCEEDED
 *                                 ^                 |
 *                                 +---retry---------+--out of attempts / non-retryable--> DEAD
 * READY, WAITING, RUNNING --cancel--> CANCELLED
 * </pre>
 *
 * <p>Each state is stored as a small integer {@link #code()} so that the claim index stays tiny.
 */
public enum JobState {

	/** Runnable once {@code run_at} has passed. */
	READY(0),
	/** Claimed by a worker that holds its lease. */
	RUNNING(1),
	/** Finished successfully. */
	SUCCEEDED(2),
	/** Out of attempts or failed permanently: the dead letter. Replay with {@code retryDead}. */
	DEAD(3),
	/** Cancelled before it finished. */
	CANCELLED(4),
	/** Held back until its parent job has succeeded. */
	WAITING(5);

	private final int code;

	JobState(int code) {
		this.code = code;
	}

	/** The value stored in the {@code state} column. */
	public int code() {
		return this.code;
	}

	/** Whether the job will not run again unless replayed. */
	public boolean isFinished() {
		return this == SUCCEEDED || this == DEAD || this == CANCELLED;
	}

	/** The state stored as {@code code}. */
	public static JobState ofCode(int code) {
		for (JobState state : values()) {
			if (state.code == code) {
				return state;
			}
		}
		throw new IllegalArgumentException("Unknown job state code " + code);
	}

}
