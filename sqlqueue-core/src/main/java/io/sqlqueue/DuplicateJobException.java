package io.sqlqueue;

/**
 * Thrown by enqueue under {@link EnqueueOptions.UniquePolicy#REJECT} when a job with the same unique
 * key is already READY or RUNNING.
 */
public class DuplicateJobException extends SqlQueueException {

	private final String uniqueKey;

	private final long existingJobId;

	public DuplicateJobException(String uniqueKey, long existingJobId) {
		super("A job with unique key '" + uniqueKey + "' is already queued or running (id " + existingJobId + ")");
		this.uniqueKey = uniqueKey;
		this.existingJobId = existingJobId;
	}

	public String getUniqueKey() {
		return this.uniqueKey;
	}

	/** The id of the job that holds the key. */
	public long getExistingJobId() {
		return this.existingJobId;
	}

}
