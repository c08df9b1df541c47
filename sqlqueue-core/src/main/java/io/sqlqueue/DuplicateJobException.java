package io.sqlqueue;

/**
 * Thrown by enqueue under {@link EnqueueOptions.UniquePolicy#REJECT} when a job with the same unique
 * key is already READY or RUNNING.
 *
 * <pre>{@code
 * try {
 *     jobs.enqueue("charge", order, EnqueueOptions.defaults()
 *             .withUniqueKey("charge-" + order.id(), EnqueueOptions.UniquePolicy.REJECT));
 * }
 * catch (DuplicateJobException ex) {
 *     log.info("order {} is already being charged by job {}", order.id(), ex.getExistingJobId());
 * }
 * }</pre>
 */
public class DuplicateJobException extends SqlQueueException {

	private final String uniqueKey;

	private final long existingJobId;

	/** An exception saying that job {@code existingJobId} holds {@code uniqueKey}. */
	public DuplicateJobException(String uniqueKey, long existingJobId) {
		super("A job with unique key '" + uniqueKey + "' is already queued or running (id " + existingJobId + ")");
		this.uniqueKey = uniqueKey;
		this.existingJobId = existingJobId;
	}

	/** The unique key the rejected job asked for. */
	public String getUniqueKey() {
		return this.uniqueKey;
	}

	/** The id of the job that holds the key. */
	public long getExistingJobId() {
		return this.existingJobId;
	}

}
