package io.sqlqueue.internal.store;

/**
 * A run whose lease was extended.
 *
 * @param id the job id
 * @param attempt the attempt of the run, which with the id names it
 * @param cancelRequested whether cancellation has been requested since the run started
 */
public record LeaseStatus(long id, int attempt, boolean cancelRequested) {

	/** The run this status is about. */
	public JobRef ref() {
		return new JobRef(this.id, this.attempt);
	}

}
